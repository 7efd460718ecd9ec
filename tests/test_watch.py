"""`report-archive ingest --watch`: real file events in tmp_path, a real subprocess, Ctrl-C.

The watcher runs as the real CLI in a subprocess (as a user runs it); the test writes,
changes and deletes files in its inbox, reads the one-line log it prints per change, checks
the index on disk, and stops it with SIGINT.
"""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from search import Index, SearchRequest

#: The conformance suite: every test here runs once per embedded search engine (see
#: conftest); a PostgreSQL index is kept current by ingest from cron (--watch refuses a URL,
#: tests/test_pg_cli.py).
pytestmark = [pytest.mark.usefixtures("search_engine"), pytest.mark.engine_only("whoosh",
                                                                               "tantivy")]

REPORT_ARCHIVE = str(Path(sys.executable).parent / "report-archive")
SETTLE = 1.0  # well above the 0.15 s between writes of the slow file, even on a busy machine
REPORT = ("DM Status Report for {month} 2021\n\n1. Summary\n\nThe Qserv team met in {month}.\n\n"
          "2. Technical Progress\n\n{body}\n")


class Watcher:
    """The watching CLI in a subprocess, its stdout lines (with arrival times) in a queue."""

    def __init__(self, inbox: Path, index: Path, *extra: str) -> None:
        self.process = subprocess.Popen(
            [REPORT_ARCHIVE, "ingest", str(inbox), "--watch", "--index", str(index),
             "--settle", str(SETTLE), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.log: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put((time.monotonic(), line.rstrip("\n")))

    def expect(self, text: str, timeout: float = 20.0) -> tuple[float, str]:
        """The next line containing `text` (lines before it are kept in .log)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                at, line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line with {text!r} in {timeout} s; log: {self.log}")
            self.log.append(line)
            if text in line:
                return at, line

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self.reader.join(timeout=5)
            self.process.stdout.close()


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "dm-status-202101.txt").write_text(
        REPORT.format(month="January", body="Rucio transfers resumed."), encoding="utf-8")
    return folder


def _ids(index_dir: Path) -> list[str]:
    index = Index(index_dir)
    try:
        return [r.id for r in index.reports()]
    finally:
        index.close()


def test_watch_ingests_new_and_changed_files_once_settled_and_prunes_deleted(inbox, tmp_path):
    index_dir = tmp_path / "index"
    watcher = Watcher(inbox, index_dir, "--prune")
    try:
        watcher.expect("up to date: 1 added, 0 updated")
        watcher.expect("watching ")

        # A report arriving slowly: it changes every 0.15 s for about 1.5 s (longer than the
        # settle time in all), so only its final state may be read, once.
        slow = inbox / "dm-status-202102.txt"
        with open(slow, "w", encoding="utf-8") as f:
            f.write(REPORT.format(month="February", body="Butler"))
            for i in range(10):
                f.flush()
                time.sleep(0.15)
                f.write(f" part{i}")
            f.write(" finalword\n")
        written = time.monotonic()
        at, line = watcher.expect("dm-status-202102.txt")
        assert line.endswith(f"added {slow} as report dm-status-202102-txt"), line
        assert at - written >= SETTLE * 0.9  # read after it settled, not while written
        hits = Index(index_dir).search(SearchRequest(q="finalword")).hits
        assert [h.report_id for h in hits] == ["dm-status-202102-txt"]

        first = inbox / "dm-status-202101.txt"
        first.write_text(REPORT.format(month="January", body="Rucio transfers doubled."),
                         encoding="utf-8")
        _, line = watcher.expect("dm-status-202101.txt")
        assert line.endswith(f"updated {first} as report dm-status-202101-txt"), line

        (inbox / ".partial.txt").write_text("hidden", encoding="utf-8")
        (inbox / "README.txt").write_text("notes", encoding="utf-8")
        (inbox / "notes.docx").write_bytes(b"not a supported format")
        (inbox / "empty.txt").write_text("", encoding="utf-8")
        _, line = watcher.expect("empty.txt")
        assert "failed" in line and str(inbox / "empty.txt") in line  # the rest goes on

        slow.unlink()
        _, line = watcher.expect("dm-status-202102.txt")
        assert line.endswith(f"removed {slow}: report dm-status-202102-txt"), line
        assert _ids(index_dir) == ["dm-status-202101-txt"]
    finally:
        code = watcher.stop()
    watcher.expect("stopped")
    assert code == 0
    log = "\n".join(watcher.log)
    assert ".partial" not in log and "README" not in log and "notes.docx" not in log
    changes = [line for line in watcher.log
               if re.match(r"\S+ \S+  (added|updated|removed|failed) ", line)]
    assert len(changes) == 4  # one line per change, nothing logged twice


def test_without_prune_a_deleted_file_keeps_its_report_and_says_so(inbox, tmp_path):
    index_dir = tmp_path / "index"
    watcher = Watcher(inbox, index_dir)
    try:
        watcher.expect("watching ")
        (inbox / "dm-status-202101.txt").unlink()
        _, line = watcher.expect("dm-status-202101.txt")
        assert "its report dm-status-202101-txt stays in the index" in line
        assert "--prune" in line
    finally:
        assert watcher.stop() == 0
    assert _ids(index_dir) == ["dm-status-202101-txt"]


def test_watch_needs_directories(inbox, tmp_path):
    result = CliRunner().invoke(main, ["ingest", str(inbox / "dm-status-202101.txt"), "--watch",
                                       "--index", str(tmp_path / "index")])
    assert result.exit_code == 2
    assert f"--watch needs directories to watch: {inbox / 'dm-status-202101.txt'} is not." \
        in result.output


def test_ctrl_c_while_files_wait_stops_between_commits(inbox, tmp_path):
    index_dir = tmp_path / "index"
    watcher = Watcher(inbox, index_dir)
    try:
        watcher.expect("watching ")
        for n in range(20):  # a burst: twenty files land at once
            (inbox / f"burst-{n:02d}.txt").write_text(
                REPORT.format(month="March", body=f"Burst file {n}."), encoding="utf-8")
        watcher.expect(" added ")
    finally:
        code = watcher.stop()  # SIGINT while the rest of the burst is still to be ingested
    assert code == 0
    watcher.expect("stopped")
    assert any("stopping after the current commit" in line for line in watcher.log)
    added = sorted(re.search(r"as report (\S+)$", line).group(1)
                   for line in watcher.log if " added " in line and "up to date" not in line)
    assert 1 <= len(added) < 20, added  # it stopped part way through the burst
    # The index holds exactly the reports that were logged: no commit was cut short.
    assert sorted(_ids(index_dir)) == sorted(["dm-status-202101-txt", *added])
    check = CliRunner().invoke(main, ["check", "--index", str(index_dir), "--no-sources"])
    assert check.exit_code == 0, check.output
