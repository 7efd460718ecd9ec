"""The archive-wide entity pass kept incremental: an archive ingested in steps (files added,
replaced, removed) holds, after every step, the same reports with the same mentions as one
fresh ingest of the files as they are then, on every engine."""

from __future__ import annotations

import pytest

from search import Index, ingest_paths

# Each text gives the rules something to learn from: a defining context (Nightjar, Quokka,
# Kestrel) or a cue that counts only summed over the archive (Osprey in system contexts).
FILES = {
    "2024-01-report.txt": "Summit systems\n\nNightjar, the new camera-diagnostics dashboard, "
                          "was installed. Kestrel ran.\n",
    "2024-02-report.txt": "Operations\n\nOperators watched Nightjar every night; two Nightjars "
                          "run now. The help desk uses Osprey for questions.\n",
    "2024-03-report.txt": "Alerts\n\nNight alerts now reach the crew via Osprey. We tried Quokka "
                          "on a small sample.\n",
}
STEPS = [
    # add a report that types Quokka, replace one so Osprey loses a cue
    ({"2024-04-report.txt": "Transfers\n\nQuokka, our replacement for the old scripts, works. "
                            "Nightjar was quiet.\n",
      "2024-02-report.txt": "Operations\n\nOperators watched Nightjar every night. Osprey "
                            "was slow.\n"}, []),
    # remove the report that said what Nightjar is: no report keeps it as an archive name
    ({}, ["2024-01-report.txt"]),
    # a report that defines Kestrel and brings Osprey's cues back
    ({"2024-05-report.txt": "Tools\n\nKestrel, the new log-search dashboard, was installed. "
                            "The night crew uses Osprey too.\n"}, []),
]


def _mentions_at(location) -> dict:
    """Every report's mentions in the index at `location` (opened and closed here)."""
    index = Index(location)
    try:
        return _mentions(index)
    finally:
        index.close()


def _mentions(index: Index) -> dict:
    out = {}
    for row in index.reports():
        report = index.report(row.id)
        out[report.id] = (
            [(m.type, m.name, m.start, m.end, m.via) for m in report.title_mentions],
            [([(m.type, m.name, m.start, m.end, m.via) for m in s.heading_mentions],
              [(m.type, m.name, m.start, m.end, m.via) for m in s.mentions])
             for s in report.sections])
    return out


def _fresh(tmp_path, index_location, archive, step: int) -> dict:
    fresh = index_location(tmp_path, f"fresh-{step}")
    ingest_paths([archive], fresh, jobs=1)
    return _mentions_at(fresh)


def test_an_archive_ingested_in_steps_equals_one_fresh_ingest(tmp_path, index_location):
    archive = tmp_path / "archive"
    archive.mkdir()
    for name, text in FILES.items():
        (archive / name).write_text(text, encoding="utf-8")
    steps = index_location(tmp_path, "steps")
    ingest_paths([archive], steps, jobs=1)
    learned_somewhere = False
    for step, (write, remove) in enumerate(STEPS):
        for name, text in write.items():
            (archive / name).write_text(text, encoding="utf-8")
        for name in remove:
            (archive / name).unlink()
        ingest_paths([archive], steps, jobs=1, prune=True)
        got = _mentions_at(steps)
        want = _fresh(tmp_path, index_location, archive, step)
        assert got == want, f"after step {step}"
        learned_somewhere |= any(m[4] == "archive" for title, sections in got.values()
                                 for heads, body in sections for m in heads + body)
    assert learned_somewhere  # the steps exercised the pass, not only the rules


def test_a_name_no_longer_learned_leaves_no_archive_mention(tmp_path, index_location):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "2024-01-report.txt").write_text(
        "Summit\n\nNightjar, the new camera-diagnostics dashboard, was installed.\n", encoding="utf-8")
    (archive / "2024-02-report.txt").write_text(
        "Operations\n\nOperators watched Nightjar every night.\n", encoding="utf-8")
    location = index_location(tmp_path)
    ingest_paths([archive], location, jobs=1)
    index = Index(location)
    try:
        assert [m.via for m in index.report("2024-02-report-txt").sections[0].mentions] == ["archive"]
    finally:
        index.close()
    (archive / "2024-01-report.txt").unlink()
    ingest_paths([archive], location, jobs=1, prune=True)
    index = Index(location)
    try:
        assert index.report("2024-02-report-txt").sections[0].mentions == ()
        assert index.entity("system", "Nightjar") is None
    finally:
        index.close()


def test_batches_and_workers_give_the_reports_of_one_batch(tmp_path, index_location, monkeypatch):
    # one file per worker per commit, two worker processes: earlier batches are written
    # before later ones teach the archive a name, and are brought in line after the last
    from search import _ingest, _pg_ingest, _workers

    archive = tmp_path / "archive"
    archive.mkdir()
    for name, text in {**FILES, **STEPS[0][0], **STEPS[2][0]}.items():
        (archive / name).write_text(text, encoding="utf-8")
    want = _fresh(tmp_path, index_location, archive, 0)
    monkeypatch.setattr(_ingest, "COMMIT_EVERY", 1)
    monkeypatch.setattr(_ingest, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(_pg_ingest, "PARALLEL_MIN_FILES", 2)
    # each worker holds its first report in memory and spools the others to disk
    monkeypatch.setattr(_workers, "HOLD_BYTES", 2000)
    location = index_location(tmp_path, "batches")
    ingest_paths([archive], location, jobs=2)
    assert _mentions_at(location) == want


# A run with the pass is in two phases on the embedded engines (search._ingest): every file
# is read and spooled first, then the batches are written with the run's final names. A
# kill lands in a subprocess at the first or second commit: after the reading phase (its
# spool left on disk) and before or between the writes.
_KILL_AT_COMMIT = r"""
import os, signal, sys
from pathlib import Path
from search import _ingest, _workers, ingest_paths
_ingest.COMMIT_EVERY = 1
_workers.HOLD_BYTES = 0  # every report is spooled to disk
kill_at, commits = int(sys.argv[3]), []
commit = _ingest._Run._commit
def dying_commit(run, batch):
    commits.append(1)
    if len(commits) == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would: no clean-up at all
    commit(run, batch)
_ingest._Run._commit = dying_commit
ingest_paths([Path(sys.argv[1])], Path(sys.argv[2]), jobs=1)
"""


def _archive_of(tmp_path, files: dict[str, str]):
    archive = tmp_path / "archive"
    archive.mkdir()
    for name, text in files.items():
        (archive / name).write_text(text, encoding="utf-8")
    return archive


@pytest.mark.engine_only("whoosh", "tantivy")  # the two-phase run and its spool are theirs
@pytest.mark.parametrize("kill_at", [1, 2])
def test_a_run_killed_after_reading_leaves_the_last_commit_and_a_rerun_equals_fresh(
        tmp_path, search_engine, index_location, kill_at):
    import subprocess
    import sys
    from pathlib import Path

    from search._ingest import STAGE_PREFIX

    archive = _archive_of(tmp_path, {**FILES, **STEPS[0][0], **STEPS[2][0]})
    location = index_location(tmp_path, "killed")
    done = subprocess.run([sys.executable, "-c", _KILL_AT_COMMIT, str(archive), str(location),
                           str(kill_at)], cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == -9, done.stderr[-2000:]
    # every file was read and spooled before the first commit: the spool is on disk
    assert list(Path(location).glob(f"{STAGE_PREFIX}*/w0/spool-*.pickle"))
    index = Index(location)
    try:
        survived = index.stats().reports
    finally:
        index.close()
    assert survived == kill_at - 1  # one report per commit; the killed one is not there
    summary = ingest_paths([archive], location, jobs=1)
    assert (summary.added, summary.unchanged) == (5 - survived, survived)
    assert not list(Path(location).glob(f"{STAGE_PREFIX}*"))  # the stale spool is gone
    got = _mentions_at(location)
    assert got == _fresh(tmp_path, index_location, archive, 0)


def test_a_report_replaced_in_a_run_of_many_batches_equals_fresh(tmp_path, index_location,
                                                                monkeypatch):
    # the run replaces one report and adds the one that teaches Quokka, each its own batch:
    # the replaced report's old evidence is taken back before the names are final
    from search import _ingest

    archive = _archive_of(tmp_path, FILES)
    location = index_location(tmp_path, "steps")
    ingest_paths([archive], location, jobs=1)
    for name, text in STEPS[0][0].items():
        (archive / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(_ingest, "COMMIT_EVERY", 1)
    summary = ingest_paths([archive], location, jobs=1)
    assert (summary.added, summary.updated) == (1, 1)
    got = _mentions_at(location)
    assert got == _fresh(tmp_path, index_location, archive, 1)


@pytest.mark.engine_only("whoosh", "tantivy")  # the two-phase run is theirs (PG has its own)
def test_progress_counts_the_reading_and_the_writing_of_a_two_phase_run(tmp_path, index_location,
                                                                        monkeypatch):
    # one file per batch: the bar must keep moving while the batches are written after
    # every file was read, and end full even when a file fails
    from search import _ingest

    archive = _archive_of(tmp_path, {**FILES, "2024-09-report.pdf": "not a PDF at all"})
    monkeypatch.setattr(_ingest, "COMMIT_EVERY", 1)
    calls: list[tuple[int, int]] = []
    summary = ingest_paths([archive], index_location(tmp_path), jobs=1,
                           progress=lambda done, total: calls.append((done, total)))
    assert len(summary.failed) == 1
    files = len(FILES) + 1
    assert {total for _, total in calls} == {2 * files}  # a read and a write step per file
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[0] == 0 and done[-1] == 2 * files
    # every read step comes before the first write step, and writes move the bar on
    assert done[files] == files and done[files + 1] > files  # all read, then written
    assert len({d for d in done if d > files}) >= len(FILES) - 1  # a batch at a time


@pytest.mark.engine_only("whoosh", "tantivy")  # the two-phase run is theirs
def test_the_write_phase_freezes_what_was_read_and_an_ingest_leaves_the_collector_as_it_was(
        tmp_path, index_location, monkeypatch):
    # the reports held until the names are final are not walked by every full collection
    # while the batches are written (search._workers); the caller's process gets its
    # collector back as it was, also when a write fails
    import gc

    from search import _workers

    archive = _archive_of(tmp_path, FILES)
    frozen_while_writing = []
    add = _workers.Worker._flush

    def watching(worker, batch, learned):
        for answer in add(worker, batch, learned):  # (a flush answers in parts)
            frozen_while_writing.append(gc.get_freeze_count())
            yield answer

    monkeypatch.setattr(_workers.Worker, "_flush", watching)
    before = gc.get_freeze_count()
    ingest_paths([archive], index_location(tmp_path, "ok"), jobs=1)
    assert frozen_while_writing and min(frozen_while_writing) > before
    assert gc.get_freeze_count() == before

    def failing(worker, batch, learned):
        yield from add(worker, batch, learned)
        raise OSError("disk full")

    monkeypatch.setattr(_workers.Worker, "_flush", failing)
    (archive / "2024-04-report.txt").write_text(STEPS[0][0]["2024-04-report.txt"], encoding="utf-8")
    with pytest.raises(OSError, match="disk full"):
        ingest_paths([archive], index_location(tmp_path, "failed"), jobs=1)
    assert gc.get_freeze_count() == before
