"""Index health: no index is exit 2 with a hint, damage is one line naming the fix, `check`
finds problems, `rebuild` repairs any damage and swaps the new index in atomically.

The damage is done to a real index on disk the ways the issue found it: a segment file
truncated or deleted, the table of contents cut or deleted, and a truncated segment in an
index without its manifest (as one written before manifests existed).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from search import Index, SearchRequest, ingest_paths, rebuild_index
from search._health import MANIFEST_NAME
from health_fixtures import FILES, SAMPLES, build_clean
from web import create_app

#: Damage, check and rebuild of Whoosh's files: the Whoosh engine's tests (tantivy checks its
#: own files; `check` on a tantivy index is in the conformance suite via test_watch).
pytestmark = [pytest.mark.usefixtures("search_engine"), pytest.mark.engine_only("whoosh")]

SERVE = str(Path(sys.executable).with_name("report-archive"))


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """(archive dir, a healthy index built from it), read-only for the tests."""
    return build_clean(tmp_path_factory.mktemp("health"), "whoosh")


def _ids(index_dir: Path) -> list[str]:
    return sorted(r.id for r in Index(index_dir).reports())


def _segment(index_dir: Path) -> Path:
    (seg,) = index_dir.glob("MAIN_*.seg")
    return seg


def _toc(index_dir: Path) -> Path:
    (toc,) = index_dir.glob("_MAIN_*.toc")
    return toc


def _truncate(path: Path, size: int) -> None:
    with open(path, "r+b") as f:
        f.truncate(size)


DAMAGE = {
    "segment truncated": (lambda d: _truncate(_segment(d), _segment(d).stat().st_size // 2),
                          "segment file MAIN_"),
    "segment deleted": (lambda d: _segment(d).unlink(), "is missing (its files were deleted)"),
    "toc cut": (lambda d: _truncate(_toc(d), 1000), "its table of contents _MAIN_"),
    "toc deleted": (lambda d: _toc(d).unlink(), "its table of contents (_MAIN_<n>.toc) is missing"),
    "truncated, no manifest": (
        lambda d: ((d / MANIFEST_NAME).unlink(),
                   _truncate(_segment(d), _segment(d).stat().st_size // 2)),
        "cannot be read (EOFError"),
}


@pytest.fixture(params=list(DAMAGE))
def damaged(request, clean, tmp_path):
    """A copy of the clean index, damaged one way: (index dir, what the message says)."""
    _, index_dir = clean
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    harm, says = DAMAGE[request.param]
    harm(copy)
    return copy, says


def test_a_damaged_index_is_one_line_everywhere_and_rebuild_repairs_it(damaged, clean):
    index_dir, says = damaged
    expected_tail = f"; rebuild it from its source files with: report-archive rebuild --index {index_dir}"
    for args in (["search", "rucio"], ["stats"], ["entities"], ["check"],
                 ["ingest", str(clean[0])]):
        result = run(*args, "--index", str(index_dir))
        assert result.exit_code == 1, (args, result.output)
        lines = result.stderr.strip().splitlines() if args[0] != "check" else \
            result.stdout.strip().splitlines()
        if args[0] == "check":
            assert lines[0].startswith("problem: ") and says in lines[0]
            assert lines[-1] == f"The index is damaged; rebuild it with: report-archive rebuild --index {index_dir}"
        else:
            assert len(lines) == 1, (args, lines)
            assert lines[0].startswith(f"Error: the index at {index_dir} is damaged: ")
            assert says in lines[0] and lines[0].endswith(expected_tail)
        assert "Traceback" not in result.output
    client = create_app({"INDEX_PATH": str(index_dir)}).test_client()
    api = client.get("/api/search?q=rucio")
    assert api.status_code == 503 and api.get_json()["error"].endswith(expected_tail)
    page = client.get("/reports")
    assert page.status_code == 503 and b"report-archive rebuild --index" in page.data

    result = run("rebuild", "--index", str(index_dir), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"rebuilt {index_dir}: 4 added, ")
    assert _ids(index_dir) == _ids(clean[1])
    assert run("check", "--index", str(index_dir)).exit_code == 0
    assert Index(index_dir).search(SearchRequest(q="rucio")).total == \
        Index(clean[1]).search(SearchRequest(q="rucio")).total


def test_no_index_is_exit_2_with_the_hint(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere"
    for args in (["search", "rucio"], ["stats"], ["entities"], ["entity", "Qserv"], ["check"],
                 ["rebuild"]):
        result = run(*args, "--index", str(missing))
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.strip() == (f"Error: no index at {missing}; run report-archive "
                                         f"ingest PATH... --index {missing} first")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REPORT_ARCHIVE_INDEX", raising=False)
    for args in (["search", "rucio"], ["stats"]):
        result = run(*args)
        assert result.exit_code == 2
        assert result.stderr.strip() == ("Error: no index at .report-archive/index; run "
                                         "report-archive ingest PATH... first")
    assert not (tmp_path / ".report-archive").exists()  # asking created nothing


def test_serve_refuses_a_given_dir_without_an_index_and_hints_at_the_default(tmp_path):
    missing = tmp_path / "nowhere"
    done = subprocess.run([SERVE, "serve", "--index", str(missing), "--port", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"Error: no index at {missing}; run report-archive ingest "
                                   f"PATH... --index {missing} first")
    env = {k: v for k, v in __import__("os").environ.items() if k != "REPORT_ARCHIVE_INDEX"}
    proc = subprocess.Popen([SERVE, "serve", "--port", "0"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        note = proc.stderr.readline().strip()
        assert note == ("Note: no index at .report-archive/index; run report-archive ingest "
                        "PATH... first; serving an empty archive.")
        assert proc.stdout.readline().startswith("Serving .report-archive/index at http://")
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        proc.stdout.close()
        proc.stderr.close()


def test_check_compares_reports_with_their_source_files(clean, tmp_path):
    archive, index_dir = clean
    copy_archive = tmp_path / "archive"
    shutil.copytree(archive, copy_archive)
    index = tmp_path / "index"
    assert ingest_paths([copy_archive], index, jobs=1).failed == ()
    ok = run("check", "--index", str(index))
    assert ok.exit_code == 0
    assert ok.stdout.startswith("ok: 1 segments, ")
    assert ok.stdout.strip().endswith(" documents, 4 reports, 4 source files match what was "
                                      "indexed")
    (copy_archive / FILES[0]).write_text("Changed\n\nSomething else entirely.\n")
    (copy_archive / FILES[1]).unlink()
    result = run("check", "--index", str(index))
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    changed = copy_archive / FILES[0]
    assert any(line.startswith("problem: report ") and f"its source file {changed} changed "
               "since it was indexed; run report-archive ingest" in line for line in lines)
    assert any(f"{copy_archive / FILES[1]} is gone; run report-archive ingest" in line
               for line in lines)
    assert lines[-1].startswith("2 problem(s) with source files; the index itself is whole")
    assert run("check", "--index", str(index), "--no-sources").exit_code == 0


def test_check_finds_a_segment_changed_in_place(clean, tmp_path):
    # Same size, other bytes: only the deep check's sha256 can tell.
    index = tmp_path / "index"
    shutil.copytree(clean[1], index)
    seg = _segment(index)
    data = bytearray(seg.read_bytes())
    data[len(data) // 3] ^= 0xFF
    seg.write_bytes(bytes(data))
    result = run("check", "--index", str(index), "--json")
    assert result.exit_code == 1
    assert f"segment file {seg.name} does not hold what was written (its sha256 differs)" \
        in result.stdout


def test_searches_during_a_rebuild_see_the_old_or_the_new_index_never_a_partial_one(clean,
                                                                                     tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(clean[0], archive)
    index_dir = tmp_path / "index"
    ingest_paths([archive], index_dir, jobs=1)
    index = Index(index_dir)
    old = index.search(SearchRequest(q="")).total
    for name in ("dm-status-202004.txt", "2020-12-dm-notes.md", "dm-status-202102.txt"):
        if (SAMPLES / name).exists():
            shutil.copy2(SAMPLES / name, archive / name)
    seen, errors, stop = set(), [], threading.Event()

    def searching():
        while not stop.is_set():
            try:
                seen.add(index.search(SearchRequest(q="")).total)
            except Exception as error:  # noqa: BLE001 - any failure is what we look for
                errors.append(repr(error))

    reader = threading.Thread(target=searching)
    reader.start()
    try:
        summary = rebuild_index(index_dir, jobs=1)
    finally:
        stop.set()
        reader.join()
    new = index.search(SearchRequest(q="")).total
    assert summary.added >= 6 and new > old
    assert errors == [] and seen <= {old, new} and old in seen
