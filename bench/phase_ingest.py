"""Ingest: end-to-end reports/s with 1 and 2 jobs, and index writing next to raw Whoosh.

- ``ingest_paths``: `search.ingest_paths` into a fresh index per repetition, jobs=1 and
  jobs=2 alternated; the speed-up is median(jobs=1 seconds) / median(jobs=2 seconds).
- index writing: the same pre-extracted `Report` values written by our writer
  (``search._writer.write_reports``: our schema, one commit, the summary refresh) and by a
  raw Whoosh writer with a minimal schema (id, heading, stemmed stored text) given the same
  sections, with one process and with Whoosh's 2-process writer (``procs=2``), which shows
  whether the library itself can use the second core for writing. It uses a private search module on purpose: it is the only way to time the
  write without extraction; if it moves, this side reports n/a and the rest still runs.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench import stats


def _fresh(work: Path, name: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=work))
    return path


def run_ingest(paths: list[Path], work: Path, reps: int, log=print) -> dict:
    """reports/s of `search.ingest_paths` with jobs=1 and jobs=2 on `paths` (fresh indexes)."""
    from search import ingest_paths

    def side(jobs: int):
        def once(rep: int) -> float:
            target = _fresh(work, f"ingest-j{jobs}")
            try:
                seconds = stats.timed(lambda: _checked(ingest_paths(paths, target / "ix", jobs=jobs),
                                                       len(paths)))
            finally:
                shutil.rmtree(target, ignore_errors=True)
            return seconds
        return once

    seconds = stats.alternate(reps, {"jobs1": side(1), "jobs2": side(2)})
    out = {"reports": len(paths)}
    for name, samples in seconds.items():
        out[name] = {"reports_per_s": stats.median([len(paths) / s for s in samples]),
                     "seconds": stats.summary(samples)}
    out["speedup_jobs2"] = stats.median(seconds["jobs1"]) / stats.median(seconds["jobs2"])
    log(f"  ingest {len(paths)} reports: jobs=1 {out['jobs1']['reports_per_s']:.1f}/s, "
        f"jobs=2 {out['jobs2']['reports_per_s']:.1f}/s (x{out['speedup_jobs2']:.2f})")
    return out


def _checked(summary, expected: int):
    if summary.failed or summary.added != expected:
        raise RuntimeError(f"ingest added {summary.added} of {expected}; failed: {summary.failed[:3]}")
    return summary


def _raw_write(reports, target: Path, procs: int = 1) -> None:
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    schema = Schema(doc_id=ID(unique=True, stored=True), report_id=ID(stored=True),
                    heading=TEXT(stored=True), text=TEXT(analyzer=StemmingAnalyzer(), stored=True))
    target.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(target), schema)
    # procs > 1: Whoosh's own multi-process writer, each process writing its own segment.
    writer = ix.writer(procs=procs, multisegment=True) if procs > 1 else ix.writer()
    for report in reports:
        for section in report.sections:
            writer.add_document(doc_id=f"{report.id}#{section.anchor}", report_id=report.id,
                                heading=section.heading, text=section.text)
    writer.commit()


def run_index_write(paths: list[Path], work: Path, reps: int, log=print) -> dict:
    """Seconds to write the same extracted sections: our writer vs a raw Whoosh writer."""
    import ingest

    reports = [ingest.extract_report(p) for p in paths]
    n_sections = sum(len(r.sections) for r in reports)
    try:
        from search._writer import write_reports
    except ImportError as error:  # a private module moved: keep the rest of the run
        return {"error": f"search._writer.write_reports unavailable: {error}"}

    def side(write):
        def once(rep: int) -> float:
            target = _fresh(work, "write")
            try:
                return stats.timed(lambda: write(target / "ix"))
            finally:
                shutil.rmtree(target, ignore_errors=True)
        return once

    seconds = stats.alternate(reps, {
        "ours": side(lambda d: write_reports(d, reports)),
        "raw": side(lambda d: _raw_write(reports, d)),
        "raw_procs2": side(lambda d: _raw_write(reports, d, procs=2)),
    })
    out = {"reports": len(reports), "sections": n_sections}
    for name, samples in seconds.items():
        out[name] = {"sections_per_s": stats.median([n_sections / s for s in samples]),
                     "seconds": stats.summary(samples)}
    out["ratio_ours_vs_raw_time"] = stats.median(seconds["ours"]) / stats.median(seconds["raw"])
    log(f"  index write {n_sections} sections: ours {stats.median(seconds['ours']):.2f}s, raw "
        f"{stats.median(seconds['raw']):.2f}s (x{out['ratio_ours_vs_raw_time']:.2f} time)")
    return out
