"""Ingest memory does not grow with the archive: commits give their memory back, and the
end-of-ingest passes stream.

The first test is a real ingest in a subprocess (`bench.child`) with many small commits,
reading the process's anonymous memory after each one. The others measure with tracemalloc
(Python allocations, deterministic within one process) on real indexes in tmp_path,
comparing an archive with four times as many reports: what a pass holds at once must not
be a multiple of the archive. Not timed; the figures for the whole ingest (peak RSS at 10k
and 100k sections) are `python -m bench.phase_memory`.

The tantivy engine is measured because its writer's buffers live in Rust, outside
tracemalloc: what is traced is ours. Whoosh's writer buffers postings as Python objects up
to its fixed pool (`search._writer.POOL_MB`), which would read as growth in an archive this
small although it is bounded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from ingest import extract_report
from search import _consistency
from search._engine import open_engine
from search._writer import refresh_summary, write_reports

#: Words of filler per report: large enough that holding a report costs far more than the
#: per-report bookkeeping a pass may keep (an id in a set, a hit address).
FILLER_WORDS = 3000
#: Technical notes every report cites: each report document lists them all with counts,
#: while the summary keeps one row per report and one per note.
CITED = " ".join(f"DMTN-{n}" for n in range(101, 301))
_WORDS = ("calibration", "pipeline", "throughput", "review", "deployment", "storage",
          "monitoring", "campaign", "release", "validation", "schedule", "budget")


ROOT = Path(__file__).resolve().parent.parent
#: Sections of the generated archive (bench.corpus) and files per worker per commit: about
#: 330 reports in about 17 commits of two workers.
SECTIONS, COMMIT_EVERY = 3000, 10
#: How far the parent's anonymous memory after its last commits may rise above that after
#: its second. With the freed memory left in malloc's arenas it rose by 47-65 MB on this
#: archive (to ~100 MB), and on the 100k-section bench archive from 77 to 179 MB; given
#: back after each commit (search._memory), by 9-11 MB.
MAX_RISE_MB = 30


@pytest.mark.engine_only("tantivy")
def test_tantivy_ingest_commits_give_back_what_they_freed(tmp_path, search_engine):
    from bench import corpus

    manifest = corpus.ensure_corpus(tmp_path / "data", SECTIONS)
    files = tmp_path / "files.json"
    files.write_text(json.dumps([str(p) for p in corpus.corpus_paths(manifest)]))
    done = subprocess.run(
        [sys.executable, "-m", "bench.child", str(tmp_path / "index"), "2", str(files),
         str(COMMIT_EVERY)], cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "REPORT_ARCHIVE_ENGINE": "tantivy"})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["added"] == manifest["reports"] and result["failed"] == 0
    after = result["anon_after_commits_mb"]
    assert len(after) >= 12, after
    # the archive grew about eightfold between the second commit and the last quarter
    assert max(after[-len(after) // 4:]) - after[1] < MAX_RISE_MB, after


def _archive(folder: Path, reports: int) -> list[Path]:
    """`reports` text reports: the first says what Nightjar is, every other one only uses
    the name (so the archive pass rewrites all of them), with a long section each."""
    folder.mkdir()
    paths = []
    for i in range(reports):
        filler = " ".join(_WORDS[(i + k) % len(_WORDS)] for k in range(FILLER_WORDS))
        lead = ("Nightjar, the new camera-diagnostics dashboard, was installed."
                if i == 0 else f"Operators watched Nightjar on night {i}.")  # no cue
        path = folder / f"2024-{i:04d}-report.txt"
        path.write_text(f"Summit systems\n\n{lead} {filler}. See {CITED}.\n", encoding="utf-8")
        paths.append(path)
    return paths


def _unharmonised_index(tmp_path: Path, reports: int) -> Path:
    """An index of the archive as written, before the archive pass (write_reports runs none)."""
    index_dir = tmp_path / f"index-{reports}"
    extracted = [extract_report(p) for p in _archive(tmp_path / f"archive-{reports}", reports)]
    write_reports(index_dir, extracted, engine="tantivy")
    return index_dir


def _traced_peak(index_dir: Path, step) -> tuple[int, object]:
    """Peak traced bytes above the start while `step(engine, handle)` runs, and its result."""
    eng = open_engine(index_dir)
    handle = eng.open_writer()
    try:
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            result = step(eng, handle)
            peak = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
    finally:
        eng.close()
    return peak, result


@pytest.mark.engine_only("tantivy")
def test_tantivy_archive_pass_holds_one_report_at_a_time(tmp_path, search_engine):
    small, large = 8, 32
    peaks = {}
    for n in (small, large):
        index_dir = _unharmonised_index(tmp_path, n)
        peaks[n], rewritten = _traced_peak(index_dir, lambda e, h: _consistency.harmonise(h))
        assert rewritten == n - 1  # every report but the defining one gets the name
    # Holding every rewritten report before writing made the large archive's peak ~4x the
    # small one's; one at a time, it is the same give or take the ids it keeps.
    assert peaks[large] < 1.5 * peaks[small], peaks


@pytest.mark.engine_only("tantivy")
def test_tantivy_summary_rebuild_streams_the_report_documents(tmp_path, search_engine):
    small, large = 8, 32
    peaks, summaries = {}, {}
    for n in (small, large):
        index_dir = _unharmonised_index(tmp_path, n)
        peaks[n], summaries[n] = _traced_peak(index_dir, refresh_summary)
        assert summaries[n]["stats"]["reports"] == n
    assert len(summaries[large]["entities"]) == len(summaries[small]["entities"])
    # The summary itself holds a row per report; the stored report documents it is folded
    # from (each listing the 200 notes) must not all be in memory at once as well.
    per_report = (peaks[large] - peaks[small]) / (large - small)
    assert per_report < 4 * len(repr(summaries[large]["reports"][0])), (peaks, per_report)


def test_the_ingest_summary_keeps_its_report_rows_on_disk(tmp_path):
    # An ingest folds every report of the run into summary.json: the rows (about 1 KB each
    # in memory) wait in a temporary file, so the parent keeps a sort key per report
    from search import _aggregate

    def rows(n: int):
        for i in range(n):
            source = f"/archive/{2014 + i % 10}/report-{i:05d}-{'x' * 120}.html"
            yield ({"id": f"report-{i:05d}", "title": f"Status report {i} " + "word " * 30,
                    "period": f"{2014 + i % 10}-{1 + i % 12:02d}", "format": "html",
                    "source": source[9:], "pages": None, "sections": 9, "entities": 12,
                    "source_abs": source, "sha256": f"{i:064x}"},
                   [["system", f"System{i % 50}", 2], ["dataset", "DP0.2", 1]],
                   "2026-12-01T00:00:00")

    peaks, written = {}, {}
    for n in (500, 2000):
        folder = tmp_path / f"ix-{n}"
        folder.mkdir()
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            acc = _aggregate.StreamingAccumulator.from_summary(_aggregate.empty(), folder)
            for row in rows(n):  # made one at a time, as the workers' rows arrive
                acc.add(*row)
            peaks[n] = tracemalloc.get_traced_memory()[0] - base
        finally:
            tracemalloc.stop()
        acc.write(folder, 7)
        written[n] = json.loads((folder / _aggregate.SUMMARY_NAME).read_text(encoding="utf-8"))
        # the same summary as the in-memory accumulator's
        plain = _aggregate.Accumulator()
        for row in rows(n):
            plain.add(*row)
        assert written[n] == plain.finish(7)
        assert list(folder.iterdir()) == [folder / _aggregate.SUMMARY_NAME]
    row_bytes = len(json.dumps(written[2000]["reports"][0]))
    per_report = (peaks[2000] - peaks[500]) / 1500
    # a row held in memory costs about three times its JSON (1.7 KB here); what is kept is
    # its sort key (period, title, id) and where it is in the file
    assert per_report < row_bytes, (peaks, per_report, row_bytes)
