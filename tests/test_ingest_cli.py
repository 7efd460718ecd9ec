"""`report-archive ingest` and the index commands on real files and a real index in tmp_path."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from search import Index, SearchRequest
from search._lock import INFO_NAME, write_lock

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
SYSTEMS = ["Qserv", "Butler", "Sasquatch", "Rucio", "Gafaelfawr", "Phalanx"]
REPORT_ARCHIVE = str(Path(sys.executable).parent / "report-archive")


def write_report(folder: Path, i: int, extra: str = "") -> Path:
    """A plain-text monthly report for month `i` after 2000-01, with entities and IDs."""
    year, month = 2000 + i // 12, i % 12
    system = SYSTEMS[i % len(SYSTEMS)]
    body = (f"DM Status Report for {MONTHS[month]} {year}\n\n1. Summary\n\n"
            f"Work continued on {system}; report number {i} of the archive. {extra}\n\n"
            f"2. Technical Progress\n\nDMTN-{100 + i % 200} was revised and DM-{20000 + i} "
            f"closed. The {system} deployment at the Summit passed its tests.\n")
    path = folder / f"dm-status-{year}{month + 1:02d}.txt"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(main, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


def summary_of(result) -> dict:
    return json.loads(result.stdout)


def test_incremental_ingest_adds_skips_updates_and_prunes(tmp_path, index_location):
    reports, index = tmp_path / "reports", str(index_location(tmp_path))
    paths = [write_report(reports, i) for i in range(3)]
    first = summary_of(run("ingest", str(reports), "--index", index, "--jobs", "1", "--json"))
    assert (first["added"], first["unchanged"], first["failed"]) == (3, 0, [])

    again = summary_of(run("ingest", str(reports), "--index", index, "--json"))
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 3)

    write_report(reports, 1, extra="A late correction about Rucio transfers.")
    changed = summary_of(run("ingest", str(reports), "--index", index, "--json"))
    assert (changed["added"], changed["updated"], changed["unchanged"]) == (0, 1, 2)
    hits = Index(index).search(SearchRequest(q="late correction")).hits
    assert [h.report_id for h in hits] == ["dm-status-200002-txt"]

    paths[0].unlink()
    kept = summary_of(run("ingest", str(reports), "--index", index, "--json"))
    assert kept["removed"] == 0 and Index(index).stats().reports == 3
    pruned = summary_of(run("ingest", str(reports), "--index", index, "--prune", "--json"))
    assert (pruned["removed"], pruned["unchanged"]) == (1, 2)
    assert [r.id for r in Index(index).reports()] == ["dm-status-200002-txt",
                                                      "dm-status-200003-txt"]


def test_failing_file_is_reported_and_skipped(tmp_path, index_location):
    reports, index = tmp_path / "reports", str(index_location(tmp_path))
    write_report(reports, 0)
    write_report(reports, 1)
    (reports / "empty.txt").write_text("")
    (reports / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a PDF")
    result = run("ingest", str(reports), "--index", index, "--jobs", "2", ok=False)
    assert result.exit_code == 1
    assert f"failed: {reports / 'empty.txt'}: the file is empty; there is nothing to ingest" \
        in result.stderr
    assert f"failed: {reports / 'broken.pdf'}: " in result.stderr
    assert result.stdout.startswith("2 added, 0 updated, 0 unchanged, 0 removed, 2 failed in ")
    assert Index(index).stats().reports == 2


def test_missing_path_is_a_failed_file_not_an_aborted_batch(tmp_path, index_location):
    reports, index = tmp_path / "reports", str(index_location(tmp_path))
    write_report(reports, 0)
    missing = tmp_path / "typo"
    result = run("ingest", str(missing), str(reports), "--index", index, ok=False)
    assert result.exit_code == 1
    assert f"failed: {missing}: no such file; check the path" in result.stderr
    assert result.stdout.startswith("1 added, 0 updated, 0 unchanged, 0 removed, 1 failed in ")
    assert Index(index).stats().reports == 1


# The embedded engines' write lock; PostgreSQL writers do not lock the index (test_pg_ingest).
@pytest.mark.engine_only("whoosh", "tantivy")
def test_busy_index_names_the_writer(tmp_path):
    reports, index = tmp_path / "reports", tmp_path / "index"
    write_report(reports, 0)
    with write_lock(index):
        info = json.loads((index / INFO_NAME).read_text())
        result = run("ingest", str(reports), "--index", str(index), ok=False)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: Index {index} is busy: another process is writing it (pid {os.getpid()} on "
        f"{info['host']}, since {info['since']}). Wait for it to finish, then run the "
        "command again.\n")
    # once the lock is free the same command works
    assert "1 added" in run("ingest", str(reports), "--index", str(index)).stdout


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_ingest_keeps_last_commit_and_rerun_finishes(tmp_path, sig, search_engine,
                                                             index_location):
    # The ingest commits every 200 reports per worker; the kill must land after the first
    # commit and before the last. On a busy machine the poll below can see the first commit
    # late, when the run has already finished: then the same run is tried again with four
    # times the reports (an explicit retry of a timing race, never of a wrong answer).
    base = 600 if search_engine == "whoosh" else 2000  # tantivy writes a batch faster
    for attempt, total in enumerate((base, 4 * base)):
        reports, index = tmp_path / f"reports{attempt}", index_location(tmp_path,
                                                                        f"index{attempt}")
        for i in range(total):
            write_report(reports, i)
        proc = subprocess.Popen([REPORT_ARCHIVE, "ingest", str(reports), "--index", str(index),
                                 "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)
        deadline = time.monotonic() + 120
        while Index(index).stats().reports == 0 and proc.poll() is None:
            assert time.monotonic() < deadline, "no commit within 2 minutes"
            time.sleep(0.05)
        os.killpg(proc.pid, sig)  # the whole job, workers included (as Ctrl-C or OOM killer)
        out, err = proc.communicate()
        if b" added, " not in out and Index(index).stats().reports < total:
            break  # the kill landed mid-run, as wanted
    else:
        pytest.fail(f"every ingest finished before the kill landed (last: {total} reports)")
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:  # Ctrl-C: a clean stop, no traceback from the parent or any worker
        assert (proc.returncode, err.decode().strip()) == (1, "Aborted!")
    survived = Index(index).stats().reports
    assert 0 < survived < total
    # every report that survived is searchable (one section each says "deployment"; on
    # PostgreSQL a commit is one report, so the survivors need not include a Qserv one)
    assert Index(index).search(SearchRequest(q="deployment")).total == survived

    rerun = subprocess.run([REPORT_ARCHIVE, "ingest", str(reports), "--index", str(index),
                            "--json"], capture_output=True, text=True, check=True)
    summary = json.loads(rerun.stdout)
    assert (summary["added"], summary["unchanged"]) == (total - survived, survived)
    assert Index(index).stats().reports == total


def test_search_cli_json_is_the_response_dict(tmp_path, index_location):
    reports, index = tmp_path / "reports", str(index_location(tmp_path))
    for i in range(4):
        write_report(reports, i)
    run("ingest", str(reports), "--index", index)
    out = json.loads(run("search", "dmtn-101", "--index", index, "--json").stdout)
    expected = Index(index).search(SearchRequest(q="dmtn-101")).to_dict()
    out.pop("took_ms"), expected.pop("took_ms")
    assert out == expected and out["total"] == 1


def test_search_cli_human_output_and_options(tmp_path, monkeypatch, index_location):
    reports, index = tmp_path / "reports", index_location(tmp_path)
    for i in range(4):
        write_report(reports, i)
    monkeypatch.setenv("REPORT_ARCHIVE_INDEX", str(index))  # no --index: the env decides
    run("ingest", str(reports))
    text = run("search", "summit", "--sort", "oldest", "--limit", "2", "--page", "2",
               "--from", "2000-01", "--to", "2000-12", "--collapse").stdout
    assert text.startswith("4 hits (page 2 of 2, ")
    assert "DM Status Report for March 2000  [2000-03 / Technical Progress]" in text
    assert "<mark>" not in text  # plain text when not a terminal
    typo = run("search", "sasquach").stdout
    assert typo.startswith("Showing results for: sasquatch\n"
                           "Search instead for: sasquach  (add --no-correct)\n")
    assert "The Sasquatch deployment" in typo
    as_typed = run("search", "sasquach", "--no-correct").stdout
    assert as_typed.startswith("0 hits") and "Did you mean: sasquatch" in as_typed


@pytest.mark.parametrize("args, message", [
    (["search", 'foo "bar'], "Error: Unbalanced quote in query 'foo \"bar'. Close the quote, "
                             "or run it again with --literal to search the text as typed.\n"),
    (["search", "x", "--from", "2021-13"], "Error: Bad value for 'from': '2021-13'. Write a "
                                           "month as YYYY-MM (e.g. 2021-06) or a year as "
                                           "YYYY.\n"),
])
def test_search_cli_errors_exit_2_without_traceback(tmp_path, args, message, index_location):
    result = run(*args, "--index", str(index_location(tmp_path)), ok=False)
    assert result.exit_code == 2
    assert result.output == message


def test_entities_entity_and_stats_commands(tmp_path, index_location):
    reports, index = tmp_path / "reports", str(index_location(tmp_path))
    for i in range(3):
        write_report(reports, i)
    run("ingest", str(reports), "--index", index)
    listed = json.loads(run("entities", "--type", "ticket", "--json", "--index", index).stdout)
    assert listed["total"] == 3
    assert listed["entities"][0] == Index(index).entities("ticket")[0].to_dict()
    detail = json.loads(run("entity", "dm-20001", "--json", "--index", index).stdout)
    assert detail == Index(index).entity("ticket", "DM-20001").to_dict()
    assert "DM-20001 (ticket): 1 mention in 1 report" in run("entity", "DM-20001", "--index",
                                                               index).stdout
    missing = run("entity", "Nope", "--index", index, ok=False)
    assert missing.exit_code == 1 and "List them with: report-archive entities" in missing.output
    stats = json.loads(run("stats", "--json", "--index", index).stdout)
    assert stats == Index(index).stats().to_dict() and stats["reports"] == 3
    assert "reports: 3" in run("stats", "--index", index).stdout


@pytest.mark.engine_only("whoosh")
@pytest.mark.parametrize("max_docs, segments", [(60_000, 2), (0, 4)])
def test_whoosh_segments_merge_in_tiers_up_to_a_size_cap(tmp_path, monkeypatch, max_docs, segments):
    from search import _ingest, _writer, ingest_paths
    from search._writer import open_or_create, segment_count

    reports, index = tmp_path / "reports", tmp_path / "index"
    for i in range(4):
        write_report(reports, i)
    monkeypatch.setattr(_ingest, "COMMIT_EVERY", 1)  # one commit (segment) per report...
    # ...and each commit beyond two segments merges the small ones, unless the cap forbids it.
    monkeypatch.setattr(_writer, "MAX_SEGMENTS", 2)
    monkeypatch.setattr(_writer, "MERGE_MAX_DOCS", max_docs)
    summary = ingest_paths([reports], index, jobs=1)
    assert summary.added == 4
    assert segment_count(open_or_create(index)) == segments
    assert Index(index).search(SearchRequest(q="summit")).total == 4


def _content(index_dir: Path) -> dict:
    """Everything an index holds that a query can see, independent of segment layout."""
    idx = Index(index_dir)
    # the duplicated report keeps whichever file won; its source is not compared
    reports = {r.id: dataclasses.replace(idx.report(r.id), source="") for r in idx.reports()}
    return {"reports": reports, "entities": [e.to_dict() for e in idx.entities(None)],
            "stats": {k: v for k, v in idx.stats().to_dict().items()
                      if k not in ("last_updated", "index_path")}}


def test_parallel_ingest_writes_the_same_index_as_one_process(tmp_path, monkeypatch,
                                                              index_location):
    from search import _ingest, _pg_ingest, ingest_paths

    reports = tmp_path / "reports"
    for i in range(40):
        write_report(reports, i, extra="Qserv and Rucio." if i % 3 else "")
    (reports / "empty.txt").write_text("")
    # A second file with the same name (so the same report id) and text: which one wins
    # depends on timing, and the loser's documents, already in a worker's segment, must be
    # dropped from it at commit.
    (reports / "dup").mkdir()
    (reports / "dup" / "dm-status-200006.txt").write_bytes(
        (reports / "dm-status-200006.txt").read_bytes())
    monkeypatch.setattr(_ingest, "COMMIT_EVERY", 7)  # several batches, several segments each
    monkeypatch.setattr(_ingest, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(_pg_ingest, "PARALLEL_MIN_FILES", 1)
    first, second = index_location(tmp_path, "one"), index_location(tmp_path, "two")
    one = ingest_paths([reports], first, jobs=1)
    two = ingest_paths([reports], second, jobs=2)
    assert (one.added, len(one.failed)) == (two.added, len(two.failed)) == (40, 2)
    assert _content(first) == _content(second)
    # one section per report names the Summit: the duplicate left no documents behind
    assert Index(second).search(SearchRequest(q="summit")).total == 40


def test_extra_entities_file_is_used_and_a_bad_one_is_one_clear_error(tmp_path, index_location):
    reports, index = tmp_path / "reports", str(index_location(tmp_path))
    write_report(reports, 0, extra="The Frobnicator service went live.")
    extra = tmp_path / "extra.toml"
    extra.write_text('[[name]]\ntype = "system"\nname = "Frobnicator"\n'
                     'aliases = ["Frobnicator service"]\n', encoding="utf-8")
    run("ingest", str(reports), "--index", index, "--entities", str(extra))
    assert Index(index).entity("system", "frobnicator").mentions == 1
    # The index keeps the extra names, so their aliases resolve at query time as well.
    assert Index(index).entity("system", "Frobnicator service").name == "Frobnicator"
    by_alias = Index(index).search(SearchRequest(entity="frobnicator service"))
    assert by_alias.total == 1
    assert Index(index).search(SearchRequest(q='entity:"Frobnicator service"')).total == 1

    bad = tmp_path / "bad.toml"
    bad.write_text("[[name]\n", encoding="utf-8")
    write_report(reports, 1)
    result = run("ingest", str(reports), "--index", index, "--entities", str(bad), ok=False)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad}: ")
    assert "Traceback" not in result.output and Index(index).stats().reports == 1


def test_index_location_precedence_is_read_at_call_time(tmp_path, monkeypatch):
    from search import DEFAULT_INDEX_DIR, resolve_index_dir

    monkeypatch.delenv("REPORT_ARCHIVE_INDEX", raising=False)
    assert resolve_index_dir(None) == DEFAULT_INDEX_DIR == Path(".report-archive/index")
    monkeypatch.setenv("REPORT_ARCHIVE_INDEX", str(tmp_path / "env"))
    assert resolve_index_dir(None) == tmp_path / "env"
    assert resolve_index_dir(str(tmp_path / "cli")) == tmp_path / "cli"


# Generations and summary.json are the embedded engines' (PostgreSQL: nothing to commit).
@pytest.mark.engine_only("whoosh", "tantivy")
def test_unchanged_ingest_does_not_commit(tmp_path):
    from search._engine import open_engine

    def generation_of(index):
        engine = open_engine(index)
        return engine.generation(engine.open_writer())

    reports, index = tmp_path / "reports", tmp_path / "index"
    write_report(reports, 0)
    run("ingest", str(reports), "--index", str(index))
    generation = generation_of(index)
    summary_before = (index / "summary.json").read_bytes()
    assert "1 unchanged" in run("ingest", str(reports), "--index", str(index)).stdout
    assert generation_of(index) == generation
    assert (index / "summary.json").read_bytes() == summary_before


# summary.json is the embedded engines' (PostgreSQL computes the summary by SQL).
@pytest.mark.engine_only("whoosh", "tantivy")
def test_summary_updated_in_place_equals_a_rebuilt_one(tmp_path):
    from search import _aggregate, ingest_paths
    from search._engine import open_engine

    reports, index = tmp_path / "reports", tmp_path / "index"
    for i in range(3):
        write_report(reports, i)
    ingest_paths([reports], index, jobs=1)
    for i in range(3, 6):
        write_report(reports, i, extra="Rucio moved the DP0.2 data.")
    ingest_paths([reports], index, jobs=1)  # only additions: summary.json is updated
    engine = open_engine(index)
    handle = engine.open_writer()
    stored = json.loads((index / _aggregate.SUMMARY_NAME).read_text(encoding="utf-8"))
    rebuilt = _aggregate.build(engine.report_fields(handle), engine.generation(handle))
    assert stored == rebuilt and stored["stats"]["reports"] == 6


def _ingest_with_stderr(args: list[str], stderr_is_terminal: bool) -> tuple[str, str]:
    """Run the real command; stderr goes to a pseudo-terminal or to a pipe."""
    import pty

    command = [sys.executable, "-c", "from cli.main import main; main()", "ingest", *args]
    if not stderr_is_terminal:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        return done.stdout, done.stderr
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=follower, text=True,
                              timeout=120)
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal is closed once everything was read
                break
            if not chunk:
                break
            chunks.append(chunk)
        return done.stdout, b"".join(chunks).decode("utf-8", "replace")
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_bar_on_a_terminal_only(tmp_path, terminal, index_location):
    reports = tmp_path / "reports"
    for i in range(3):
        write_report(reports, i)
    out, err = _ingest_with_stderr([str(reports), "--index", str(index_location(tmp_path)),
                                    "--jobs", "1"], stderr_is_terminal=terminal)
    assert out.startswith("3 added, 0 updated, 0 unchanged, 0 removed, 0 failed in ")
    assert ("Ingesting" in err) is terminal
    if not terminal:
        assert err == ""  # quiet in scripts
