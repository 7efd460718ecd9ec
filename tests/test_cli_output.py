"""Human output of the index commands: counts in the singular when they are one, stats
roots one per line, the next-page command (see test_web_export for that one)."""

from __future__ import annotations

from click.testing import CliRunner

from cli.main import main
from search import ingest_paths

REPORT = ("DM Status Report for {month} 2021\n\n1. Summary\n\n{body}\n")


def _archive(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for folder, month, body in ((one, "March", "Qserv and Rucio were upgraded at SLAC."),
                                (two, "April", "Qserv was upgraded again.")):
        folder.mkdir()
        (folder / f"dm-status-2021-{month.lower()}.txt").write_text(
            REPORT.format(month=month, body=body), encoding="utf-8")
    index = tmp_path / "index"
    ingest_paths([one, two], index, jobs=1)
    return one, two, str(index)


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_counts_of_one_are_singular(tmp_path):
    _, _, index = _archive(tmp_path)
    rucio = next(line for line in run("entities", "--index", index).splitlines() if "Rucio" in line)
    assert " 1 report " in rucio and " 1 mention " in rucio and "reports" not in rucio
    qserv = next(line for line in run("entities", "--index", index).splitlines() if "Qserv" in line)
    assert " 2 reports " in qserv and " 2 mentions " in qserv
    assert run("entity", "Rucio", "--index", index).splitlines()[0] == \
        "Rucio (system): 1 mention in 1 report, 2021-03 to 2021-03"
    assert run("search", "rucio", "--index", index).startswith("1 hit (page 1 of 1, ")
    assert run("search", "qserv", "--index", index).startswith("2 hits (page 1 of 1, ")


def test_stats_prints_each_root_on_its_own_line(tmp_path):
    one, two, index = _archive(tmp_path)
    lines = run("stats", "--index", index).splitlines()
    at = lines.index("roots:")
    assert lines[at + 1:at + 3] == [f"  {one.resolve()}", f"  {two.resolve()}"]
    assert "reports: 2" in lines and not any("[" in line for line in lines)


def test_extract_outline_counts_in_the_singular(tmp_path):
    path = tmp_path / "dm-status-202103.txt"
    path.write_text(REPORT.format(month="March", body="Qserv.") + "\n2. Risks\n\nRucio and SLAC "
                    "were both upgraded this month, and Qserv too.\n", encoding="utf-8")
    out = run("extract", str(path))
    assert "· 1 word · 1 mention" in out  # "Qserv." alone
    assert "· 11 words · 3 mentions" in out
