"""The README's "Using it" commands work as written after the set-up command.

The set-up command installs into .venv and ingests sample_reports from the repository
root; "Using it" says to activate the venv. So: a directory laid out like the repository
root (sample_reports, plus the terms file the batch example reads), PATH starting with the
venv's bin (what activating does), the set-up's ingest, then every concrete command of the
block in order. Lines with placeholders ([--index DIR], FILE) are syntax summaries, and
`serve` and `--watch` run until stopped (tested in test_browser and test_watch).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PLACEHOLDERS = {"FILE", "DIR", "N", "PATH", "PATH..."}


def _using_it_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Using it", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands = []
    for line in block.splitlines():
        command = line.split("  #", 1)[0].strip()
        if "report-archive " not in command:
            continue
        if "[" in command or PLACEHOLDERS & set(shlex.split(command)) \
                or " serve" in command or "--watch" in command:
            continue
        commands.append(command)
    return commands


def test_readme_tells_to_activate_the_venv():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ". .venv/bin/activate" in text.split("## Using it", 1)[1].split("```", 1)[0]


def test_using_it_commands_run_as_written(tmp_path):
    (tmp_path / "sample_reports").symlink_to(ROOT / "sample_reports")
    env = {k: v for k, v in os.environ.items() if k != "REPORT_ARCHIVE_INDEX"}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    commands = _using_it_commands()
    assert len(commands) >= 9 and any("report-archive batch " in c for c in commands)
    setup = subprocess.run(["report-archive", "ingest", "sample_reports"], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert setup.returncode == 0, setup.stderr
    for command in commands:  # as typed in a shell: pipes and redirections included
        result = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=tmp_path,
                                env=env, capture_output=True, text=True)
        assert result.returncode == 0, (command, result.stdout[-500:], result.stderr[-500:])
        out = re.search(r"> (\S+)$", command)
        written = (tmp_path / out.group(1)).read_text() if out else result.stdout
        assert written.strip(), command
