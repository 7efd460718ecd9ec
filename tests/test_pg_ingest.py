"""Ingest into a real PostgreSQL server: one run, several runs at once, a killed run, prune,
and the schema version check. Every test gets its own database on the session's server
(tests/pg_server.py); writers are real `report-archive ingest` processes where the point
is that several processes write at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from pg_server import wait_for

from search import ingest_paths
from search._pg_read import report as read_report
from search._pg_schema import SCHEMA, SchemaError

REPORT_ARCHIVE = str(Path(sys.executable).parent / "report-archive")
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_reports"
SYSTEMS = ["Qserv", "Butler", "Rucio", "Sasquatch", "Phalanx"]


def write_reports(folder: Path, numbers, words: int = 1) -> list[Path]:
    """Plain-text monthly reports, one per number, with an ID, a ticket and a system."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in numbers:
        year, month = 2010 + i // 12, i % 12 + 1
        system = SYSTEMS[i % len(SYSTEMS)]
        filler = " ".join(f"The {system} work went on, step {k} of report {i}."
                          for k in range(words))
        path = folder / f"status-{year}{month:02d}.txt"
        path.write_text(f"Status report {year}-{month:02d}\n\n1. Summary\n\n{filler}\n\n"
                        f"2. Progress\n\nDMTN-{100 + i} was revised and DM-{30000 + i} "
                        f"closed; {system} passed its tests.\n", encoding="utf-8")
        out.append(path)
    return out


#: A section row's facet values (their ids depend on which writer met them first).
FACET_VALUES = (f"ARRAY(SELECT v.value FROM unnest(s.facet_ids) i JOIN {SCHEMA}.facet_values v "
                "ON v.id = i ORDER BY v.value)")


def dump(url: str) -> dict:
    """Everything the index holds that does not depend on who wrote it or when."""
    with psycopg.connect(url) as conn:
        reports = conn.execute(
            f"SELECT id, sha256, source_abs, title, period, section_count, entities::text "
            f"FROM {SCHEMA}.reports ORDER BY id").fetchall()
        sections = conn.execute(
            f"SELECT report_id, ord, anchor, heading, body, tsv::text, entity_names, "
            f"{FACET_VALUES}, digest "
            f"FROM {SCHEMA}.sections s ORDER BY report_id, ord").fetchall()
        mentions = conn.execute(
            f"SELECT s.report_id, s.ord, m.ord, m.type, m.name, m.start_at FROM "
            f"{SCHEMA}.mentions m JOIN {SCHEMA}.sections s ON s.id = m.section_id "
            "ORDER BY 1, 2, 3").fetchall()
        # Section ids of one report are consecutive (the ranking looks at neighbours).
        gaps = conn.execute(
            f"SELECT report_id FROM {SCHEMA}.sections GROUP BY report_id "
            "HAVING max(id) - min(id) <> count(*) - 1").fetchall()
    assert gaps == []
    return {"reports": reports, "sections": sections, "mentions": mentions}


def ingest_cmd(url: str, *paths, jobs: int = 1, extra=()) -> subprocess.Popen:
    return subprocess.Popen([REPORT_ARCHIVE, "ingest", *map(str, paths), "--index", url,
                             "--jobs", str(jobs), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)


def finish(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return out


def test_sample_archive_round_trips(pg_url, sample_reports):
    summary = ingest_paths([SAMPLE_DIR], pg_url, jobs=2)
    assert summary.failed == ()
    assert summary.added == len(sample_reports)
    with psycopg.connect(pg_url) as conn:
        for rid, (path, expected) in sample_reports.items():
            got = read_report(conn, rid)
            assert got == expected, rid
    again = ingest_paths([SAMPLE_DIR], pg_url, jobs=2)
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(sample_reports))


def test_changed_file_is_replaced_whole(pg_url, tmp_path):
    [path] = write_reports(tmp_path / "a", [1], words=3)
    ingest_paths([tmp_path / "a"], pg_url, jobs=1)
    path.write_text("Status report 2010-02\n\n1. Summary\n\nOnly Rucio now.\n", encoding="utf-8")
    summary = ingest_paths([tmp_path / "a"], pg_url, jobs=1)
    assert (summary.added, summary.updated) == (0, 1)
    state = dump(pg_url)
    assert len(state["reports"]) == 1
    assert [s[3] for s in state["sections"]] == ["Summary"]
    assert "Qserv" not in state["sections"][0][4] and "Rucio" in state["sections"][0][4]


def _rows(url: str) -> dict:
    """{(report id, section order): (row version, section id)} and the mention rows."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(f"SELECT report_id, ord, xmin::text, id FROM {SCHEMA}.sections"
                            ).fetchall()
        mentions = conn.execute(f"SELECT section_id, name, xmin::text FROM {SCHEMA}.mentions"
                                ).fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}, mentions


def test_a_changed_file_updates_only_its_changed_sections_in_place(pg_url, tmp_path):
    # three sections; then the second one changes and the third goes away
    text = ("Status report 2010-02\n\n1. Summary\n\nThe Qserv work went on.\n\n"
            "2. Progress\n\nDMTN-101 was revised; Rucio passed its tests.\n\n"
            "3. Risks\n\nNone at all for Butler.\n")
    path = tmp_path / "a" / "status-201002.txt"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    ingest_paths([tmp_path / "a"], pg_url, jobs=1)
    before, mentions_before = _rows(pg_url)
    [rid] = {r for r, _ in before}
    assert len(before) == 3
    path.write_text(text.split("3. Risks")[0].replace("Rucio", "Sasquatch"), encoding="utf-8")
    summary = ingest_paths([tmp_path / "a"], pg_url, jobs=1)
    assert (summary.added, summary.updated) == (0, 1)
    after, mentions_after = _rows(pg_url)
    heading = {s[1]: s[3] for s in dump(pg_url)["sections"]}
    summary_ord = next(o for o, h in heading.items() if h == "Summary")
    progress_ord = next(o for o, h in heading.items() if h == "Progress")
    assert "Risks" not in heading.values()
    # the unchanged section is the same row version; the changed one was updated in
    # place (same id, a new version); the report's ids stay consecutive (dump checks)
    assert after[(rid, summary_ord)] == before[(rid, summary_ord)]
    assert after[(rid, progress_ord)][1] == before[(rid, progress_ord)][1]
    assert after[(rid, progress_ord)][0] != before[(rid, progress_ord)][0]
    # the unchanged section's mentions were not rewritten; the changed one's were
    qserv = [m for m in mentions_before if m[1] == "Qserv"]
    assert qserv and qserv == [m for m in mentions_after if m[1] == "Qserv"]
    names = {m[1] for m in mentions_after}
    assert "Sasquatch" in names and "Rucio" not in names and "Butler" not in names
    # and searches see the new text only
    from search import Index, SearchRequest
    index = Index(pg_url)
    assert index.search(SearchRequest(q="sasquatch")).total == 1
    assert index.search(SearchRequest(q="rucio")).total == 0
    assert index.search(SearchRequest(q="butler")).total == 0
    index.close()


def test_two_concurrent_runs_end_as_a_sequential_run(pg_cluster, pg_url, tmp_path):
    files = write_reports(tmp_path / "archive", range(60), words=20)
    left, right = tmp_path / "left", tmp_path / "right"
    left.mkdir()
    right.mkdir()
    # Overlapping sets: files 0-39 and 20-59 (the middle third is ingested by both), plus
    # a disjoint pair of directories.
    for f in files[:40]:
        (left / f.name).symlink_to(f)
    for f in files[20:]:
        (right / f.name).symlink_to(f)
    a = ingest_cmd(pg_url, *[left / f.name for f in files[:40]])
    b = ingest_cmd(pg_url, *[right / f.name for f in files[20:]])
    finish(a), finish(b)
    concurrent = dump(pg_url)
    assert len(concurrent["reports"]) == 60

    sequential_url = pg_cluster.url_for("sequential_" + pg_url.rsplit("/", 1)[1])
    pg_cluster.psql(f"CREATE DATABASE {sequential_url.rsplit('/', 1)[1]}")
    try:
        finish(ingest_cmd(sequential_url, *[left / f.name for f in files[:40]]))
        finish(ingest_cmd(sequential_url, *[right / f.name for f in files[20:]]))
        sequential = dump(sequential_url)
    finally:
        pg_cluster.psql(f"DROP DATABASE {sequential_url.rsplit('/', 1)[1]} WITH (FORCE)")
    # Symlinked paths differ between the two directories; everything else is equal.
    assert _without_paths(concurrent) == _without_paths(sequential)


def _without_paths(state: dict) -> dict:
    return {**state, "reports": [r[:2] + r[3:] for r in state["reports"]]}


def test_the_same_files_by_two_runs_at_once_end_as_one_report_each(pg_url, tmp_path):
    write_reports(tmp_path / "archive", range(40), words=20)
    runs = [ingest_cmd(pg_url, tmp_path / "archive") for _ in range(2)]
    outputs = [finish(r) for r in runs]
    state = dump(pg_url)
    assert len(state["reports"]) == 40
    assert len(state["sections"]) == 80
    assert len(state["mentions"]) == len({m[:3] for m in state["mentions"]})
    # Between them the two runs added each report once; the other found it unchanged.
    added = sum(int(o.split(" added")[0]) for o in outputs)
    assert added == 40, outputs


def test_a_killed_run_leaves_no_half_report_and_a_rerun_completes(pg_cluster, pg_url,
                                                                 tmp_path):
    write_reports(tmp_path / "archive", range(120), words=60)
    victim = ingest_cmd(pg_url, tmp_path / "archive")
    other = ingest_cmd(pg_url, *sorted((tmp_path / "archive").glob("status-201[89]*")))

    def written() -> int:
        with psycopg.connect(pg_url) as conn:
            if conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.reports",)).fetchone()[0] \
                    is None:
                return 0
            return conn.execute(f"SELECT count(*) FROM {SCHEMA}.reports").fetchone()[0]

    wait_for(lambda: written() >= 10, what="the first reports to be written")
    os.kill(victim.pid, signal.SIGKILL)
    victim.communicate()
    finish(other)
    state = dump(pg_url)
    assert 10 <= len(state["reports"]) < 120
    # Every report there is whole: as many sections as it says, each with its mentions.
    by_report: dict = {}
    for s in state["sections"]:
        by_report[s[0]] = by_report.get(s[0], 0) + 1
    assert {r[0]: r[5] for r in state["reports"]} == by_report
    finish(ingest_cmd(pg_url, tmp_path / "archive"))
    rerun = dump(pg_url)
    assert len(rerun["reports"]) == 120
    # The killed run's reports were checked by a later pass (none waits for its own).
    with psycopg.connect(pg_url) as conn:
        unchecked = conn.execute(f"SELECT count(*) FROM {SCHEMA}.evidence "
                                 "WHERE run IS NOT NULL").fetchone()[0]
    assert unchecked == 0

    reference = pg_cluster.url_for("reference_" + pg_url.rsplit("/", 1)[1])
    pg_cluster.psql(f"CREATE DATABASE {reference.rsplit('/', 1)[1]}")
    try:
        ingest_paths([tmp_path / "archive"], reference, jobs=1)
        assert dump(reference) == rerun
    finally:
        pg_cluster.psql(f"DROP DATABASE {reference.rsplit('/', 1)[1]} WITH (FORCE)")


def _reports_written(url: str) -> int:
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.reports",)).fetchone()[0] is None:
            return 0
        return conn.execute(f"SELECT count(*) FROM {SCHEMA}.reports").fetchone()[0]


def _workers_of(pid: int) -> list[int]:
    """The forked worker processes of `pid` (same command line as it)."""
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    out = []
    for child in map(int, children):
        try:
            if Path(f"/proc/{child}/cmdline").read_bytes() == cmdline:
                out.append(child)
        except OSError:
            pass
    return out


def test_a_dead_worker_is_one_clear_error_and_the_written_reports_stay(pg_url, tmp_path):
    write_reports(tmp_path / "archive", range(300), words=60)
    run = ingest_cmd(pg_url, tmp_path / "archive", jobs=2)
    wait_for(lambda: _reports_written(pg_url) >= 10 and len(_workers_of(run.pid)) == 2,
             what="the workers to write their first reports")
    os.kill(_workers_of(run.pid)[0], signal.SIGKILL)  # as the out-of-memory killer would
    out, err = run.communicate(timeout=120)
    assert run.returncode == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("Error: An ingest worker process died (killed, or out of memory?) "
                          "after "), err
    assert "Run the same ingest again" in err
    kept = dump(pg_url)
    assert 10 <= len(kept["reports"]) < 300
    finish(ingest_cmd(pg_url, tmp_path / "archive", jobs=2))
    assert _reports_written(pg_url) == 300


def test_prune_removes_gone_files_under_its_paths_only(pg_url, tmp_path):
    mine = write_reports(tmp_path / "mine", range(3))
    theirs = write_reports(tmp_path / "theirs", range(10, 12))
    ingest_paths([tmp_path / "mine", tmp_path / "theirs"], pg_url, jobs=1)
    mine[0].unlink()
    theirs[0].unlink()  # gone too, but not under the path this run was given
    summary = ingest_paths([tmp_path / "mine"], pg_url, jobs=1, prune=True)
    assert summary.removed == 1
    sources = {r[2] for r in dump(pg_url)["reports"]}
    assert sources == {str(p) for p in mine[1:] + theirs}


def test_prune_keeps_a_report_another_worker_has_just_readded(pg_url, tmp_path):
    from search import _pg_write
    from search._pg_conn import connect

    [path] = write_reports(tmp_path / "mine", [5])
    ingest_paths([tmp_path / "mine"], pg_url, jobs=1)
    conn = connect(pg_url)
    try:
        started = conn.execute("SELECT clock_timestamp()").fetchone()[0]
        listed = _pg_write.known(conn)  # what a pruning run listed when it started
        # Meanwhile another worker moves the file and ingests it again (same id, new file).
        moved = tmp_path / "elsewhere" / path.name
        moved.parent.mkdir()
        path.rename(moved)
        moved.write_text(moved.read_text() + "\nAddendum: Rucio.\n", encoding="utf-8")
        ingest_paths([moved.parent], pg_url, jobs=1)
        [(rid, v)] = listed.items()
        assert _pg_write.delete_unchanged(conn, rid, v["sha256"], started) is False
    finally:
        conn.close()
    assert [r[2] for r in dump(pg_url)["reports"]] == [str(moved)]


def test_two_files_claiming_one_id_in_one_run_fail_one(pg_url, tmp_path):
    [a] = write_reports(tmp_path / "a", [1])
    [b] = write_reports(tmp_path / "b", [1])
    b.write_text(b.read_text() + "\nDifferent.\n", encoding="utf-8")
    summary = ingest_paths([a, b], pg_url, jobs=1)
    assert summary.added == 1
    assert len(summary.failed) == 1 and "also produced by" in summary.failed[0][1]


@pytest.mark.parametrize("version, words", [(0, "older"), (99, "newer")])
def test_another_schema_version_says_what_to_run(pg_url, tmp_path, version, words):
    write_reports(tmp_path / "a", [1])
    ingest_paths([tmp_path / "a"], pg_url, jobs=1)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"UPDATE {SCHEMA}.schema_version SET version = %s", (version,))
    with pytest.raises(SchemaError) as caught:
        ingest_paths([tmp_path / "a"], pg_url, jobs=1)
    message = str(caught.value)
    assert words in message and f"schema version {version}" in message
    if version == 0:
        assert f"DROP SCHEMA {SCHEMA} CASCADE" in message and "report-archive ingest" in message
    else:
        assert "Upgrade this one" in message


def test_an_unreachable_server_is_one_clear_error(tmp_path):
    from pg_server import free_port

    from search._pg_conn import ConnectionProblem

    write_reports(tmp_path / "a", [1])
    url = f"postgresql://postgres:secret@127.0.0.1:{free_port()}/nowhere"
    with pytest.raises(ConnectionProblem) as caught:
        ingest_paths([tmp_path / "a"], url, jobs=1)
    assert "Cannot reach the PostgreSQL index at postgresql://postgres@127.0.0.1" in \
        str(caught.value)
    assert "secret" not in str(caught.value)


def test_a_section_whose_mentions_change_but_not_its_text_keeps_its_tsvector(pg_url):
    # as when the archive pass re-types a name: the mentions and facets change in place,
    # the tsvector (made of the same text and names) is the one already there
    from dataclasses import replace

    from conftest import make_report, make_section
    from search import Index, SearchRequest
    from search._pg_ingest import write_reports_pg

    section = make_section("Progress", "Qserv ran all week.", [("system", "Qserv", "Qserv")])
    report = make_report("r1", "2021-01", [section])
    write_reports_pg(pg_url, [report])
    with psycopg.connect(pg_url) as conn:
        before = conn.execute(f"SELECT tsv::text, {FACET_VALUES} FROM {SCHEMA}.sections s"
                              ).fetchone()
    retyped = replace(section, mentions=tuple(replace(m, type="document")
                                              for m in section.mentions))
    write_reports_pg(pg_url, [replace(report, sections=(retyped,), sha256="0" * 64)])
    with psycopg.connect(pg_url) as conn:
        after = conn.execute(f"SELECT tsv::text, {FACET_VALUES} FROM {SCHEMA}.sections s"
                             ).fetchone()
        types = conn.execute(f"SELECT type FROM {SCHEMA}.mentions").fetchall()
    assert after[0] == before[0] and after[1] != before[1]
    assert types == [("document",)]
    index = Index(pg_url)
    assert index.search(SearchRequest(q="qserv", type="document")).total == 1
    assert index.search(SearchRequest(q="qserv", type="system")).total == 0
    index.close()


def test_the_reports_of_a_run_that_died_before_its_pass_are_checked_by_the_next(pg_url,
                                                                                tmp_path):
    # A run names itself on the evidence rows of the reports it writes until its pass has
    # checked them; one killed before its pass leaves them named, with no live connection.
    write_reports(tmp_path / "a", range(6))
    write_reports(tmp_path / "b", range(6, 8))
    ingest_paths([tmp_path / "a"], pg_url, jobs=1)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert conn.execute(f"SELECT count(*) FROM {SCHEMA}.evidence WHERE run IS NOT NULL"
                            ).fetchone()[0] == 0  # checked by its own pass
        conn.execute(f"UPDATE {SCHEMA}.evidence SET run = 'a-dead-run' WHERE report_id IN "
                     f"(SELECT report_id FROM {SCHEMA}.evidence ORDER BY report_id LIMIT 4)")
    ingest_paths([tmp_path / "b"], pg_url, jobs=1)
    with psycopg.connect(pg_url) as conn:
        left = conn.execute(f"SELECT count(*) FROM {SCHEMA}.evidence WHERE run IS NOT NULL"
                            ).fetchone()[0]
        rows = conn.execute(f"SELECT count(*) FROM {SCHEMA}.evidence").fetchone()[0]
    assert left == 0 and rows == 8
