"""Peak memory of ingest per corpus size, each run in a fresh subprocess (bench.child).

The first run at each size leaves its index in place: it is the index the search and web
phases use, so building it is not paid twice. Target: the peak does not grow with the
number of reports (ingest streams reports into the writer and commits in batches).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from bench import stats


def ingest_child(paths: list[Path], index_dir: Path, jobs: int, work: Path) -> dict:
    """Run one ingest in a subprocess; its JSON line (seconds, peaks in MB)."""
    list_file = work / f"files-{index_dir.name}.json"
    list_file.write_text(json.dumps([str(p) for p in paths]))
    done = subprocess.run([sys.executable, "-m", "bench.child", str(index_dir), str(jobs),
                           str(list_file)], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        raise RuntimeError(f"ingest subprocess failed ({done.returncode}):\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["failed"] or result["added"] != len(paths):
        raise RuntimeError(f"ingest subprocess added {result['added']} of {len(paths)} reports")
    return result


def run(paths: list[Path], index_dir: Path, reps: int, work: Path, jobs: int = 1,
        log=print) -> dict:
    """Peak RSS of `reps` fresh ingests of `paths`; the first one's index stays at `index_dir`."""
    runs = []
    for rep in range(reps):
        target = index_dir if rep == 0 else work / f"mem-{index_dir.name}-{rep}"
        if target.exists():
            shutil.rmtree(target)
        runs.append(ingest_child(paths, target, jobs, work))
        if rep:
            shutil.rmtree(target, ignore_errors=True)
    peaks = [r["peak_rss_mb"] for r in runs]
    out = {"reports": len(paths), "jobs": jobs, "reps": len(runs),
           "peak_rss_mb": stats.median(peaks), "peak_rss_reps": peaks,
           "rss_after_imports_mb": stats.median([r["rss_after_imports_mb"] for r in runs]),
           "children_peak_rss_mb": stats.median([r["children_peak_rss_mb"] for r in runs]),
           "end_rss_anon_mb": stats.median([r.get("end_RssAnon_mb", float("nan")) for r in runs]),
           "end_rss_file_mb": stats.median([r.get("end_RssFile_mb", float("nan")) for r in runs]),
           "reports_per_s": stats.median([len(paths) / r["seconds"] for r in runs]),
           "seconds": stats.summary([r["seconds"] for r in runs])}
    log(f"    ingest peak RSS {out['peak_rss_mb']:.0f} MB over {len(runs)} run(s), "
        f"{out['reports_per_s']:.1f} reports/s (jobs={jobs})")
    return out
