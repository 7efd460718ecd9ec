"""Peak memory of ingest per corpus size, each run in a fresh subprocess (bench.child).

The first run at each size leaves its index in place: it is the index the search and web
phases use, so building it is not paid twice. Target: the peak does not grow with the
number of reports (ingest streams reports into the writer and commits in batches).

``python -m bench.phase_memory [--sizes 10000,100000] [--engines whoosh,tantivy]
[--jobs 1,2] [--reps 1]`` measures only this, for each engine and jobs side by side: the
ingest process's peak RSS (VmHWM), its own peaks of anonymous memory (RssAnon: heaps,
which only freeing returns) and of file-backed pages (RssFile: the mmapped index segments
and libraries, clean pages the kernel may drop and read again), sampled by bench.child,
its workers' peak, and the largest size's peak over the smallest's for both VmHWM and
RssAnon (issue #11: at most `MAX_GROWTH`), with the load average around each run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench import corpus, stats

HERE = Path(__file__).resolve().parent
#: Ingest peak RSS at the largest size over the smallest (100k / 10k sections): "flat".
MAX_GROWTH = 1.3


def ingest_child(paths: list[Path], index_dir: Path, jobs: int, work: Path,
                 engine: str | None = None) -> dict:
    """Run one ingest in a subprocess (with `engine`, else $REPORT_ARCHIVE_ENGINE); its JSON
    line (seconds, peaks in MB)."""
    list_file = work / f"files-{index_dir.name}.json"
    list_file.write_text(json.dumps([str(p) for p in paths]))
    env = dict(os.environ, REPORT_ARCHIVE_ENGINE=engine) if engine else None
    done = subprocess.run([sys.executable, "-m", "bench.child", str(index_dir), str(jobs),
                           str(list_file)], capture_output=True, text=True, env=env,
                          cwd=HERE.parent)
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


def compare(sizes: list[int], engines: list[str], jobs_list: list[int], reps: int,
            data_dir: Path, seed: int = 1, log=print) -> dict:
    """Fresh ingests of each generated corpus size per engine and jobs (engines alternated
    per repetition); medians and the growth of the peaks from the smallest size to the largest."""
    work = data_dir / "work-memory"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    out: dict = {"sizes": sizes, "reps": reps, "runs": {}}
    for size in sizes:
        manifest = corpus.ensure_corpus(data_dir, size, seed)
        paths = corpus.corpus_paths(manifest)
        for jobs in jobs_list:
            for rep in range(reps):
                order = engines if rep % 2 == 0 else engines[::-1]
                for engine in order:
                    target = work / f"ix-{engine}-{size}-{jobs}"
                    shutil.rmtree(target, ignore_errors=True)
                    before = os.getloadavg()[0]
                    r = ingest_child(paths, target, jobs, work, engine)
                    r["load"] = (before, os.getloadavg()[0])
                    shutil.rmtree(target, ignore_errors=True)
                    out["runs"].setdefault(f"{engine}/{jobs}/{size}", []).append(r)
                    log(f"  {engine} jobs={jobs} {size:,} sections ({len(paths):,} reports): "
                        f"peak {r['peak_rss_mb']:.0f} MB, workers "
                        f"{r['children_peak_rss_mb']:.0f} MB, {r['seconds']:.1f} s, "
                        f"load {before:.2f} -> {r['load'][1]:.2f}")
    rows = out["rows"] = []
    for engine in engines:
        for jobs in jobs_list:
            per = {}
            for size in sizes:
                rs = out["runs"][f"{engine}/{jobs}/{size}"]
                per[size] = {
                    "peak_rss_mb": stats.median([r["peak_rss_mb"] for r in rs]),
                    "workers_peak_rss_mb": stats.median([r["children_peak_rss_mb"] for r in rs]),
                    "end_rss_anon_mb": stats.median([r.get("end_RssAnon_mb", float("nan"))
                                                     for r in rs]),
                    "peak_anon_mb": stats.median([r.get("peak_anon_mb", float("nan"))
                                                  for r in rs]),
                    "peak_file_mb": stats.median([r.get("peak_file_mb", float("nan"))
                                                  for r in rs]),
                    "seconds": stats.median([r["seconds"] for r in rs]),
                    "phases": _phase_peaks(rs),
                    "load": [min(r["load"][0] for r in rs), max(r["load"][1] for r in rs)]}
            small, large = per[sizes[0]], per[sizes[-1]]
            rows.append({"engine": engine, "jobs": jobs, "per_size": per,
                         "growth": large["peak_rss_mb"] / small["peak_rss_mb"],
                         "anon_growth": large["peak_anon_mb"] / small["peak_anon_mb"],
                         "workers_growth": (large["workers_peak_rss_mb"] / small["workers_peak_rss_mb"]
                                            if small["workers_peak_rss_mb"] else None)})
    return out


#: The ingest's phases as bench.child names them, in run order.
PHASES = ("write", "pass", "summary")


def _phase_peaks(runs: list[dict]) -> dict:
    """Per phase, the median over `runs` of its largest RSS and of RssAnon / RssFile then."""
    out = {}
    for name in PHASES:
        got = [r["phases"][name] for r in runs if name in r.get("phases", {})]
        if got:
            out[name] = {k: stats.median([g.get(k) or float("nan") for g in got])
                         for k in ("rss_mb", "anon_mb", "file_mb", "hwm_mb")}
    return out


def phase_table(result: dict) -> str:
    """Each phase's sampled peak RSS (anonymous / file-backed at that moment) and, when the
    process's peak (VmHWM) rose during it, that peak, per engine, jobs and size: where the
    parent's memory goes as the archive grows."""
    lines = ["| engine | jobs | sections | " + " | ".join(
        f"{p} MB (anon / file) [VmHWM]" for p in PHASES) + " |",
        "|" + "---|" * (3 + len(PHASES))]
    for row in result["rows"]:
        for size, per in row["per_size"].items():
            cells = [row["engine"], str(row["jobs"]), f"{int(size):,}"]
            for name in PHASES:
                p = per.get("phases", {}).get(name)
                hwm = f" [{p['hwm_mb']:.0f}]" if p and p["hwm_mb"] == p["hwm_mb"] else ""
                cells.append(f"{p['rss_mb']:.0f} ({p['anon_mb']:.0f} / {p['file_mb']:.0f}){hwm}"
                             if p else "-")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table(result: dict) -> str:
    """The comparison as a Markdown table: one row per engine and jobs, sizes side by side."""
    sizes = result["sizes"]
    head = (["engine", "jobs"] + [f"peak MB {s:,}" for s in sizes]
            + [f"anon / file MB {s:,}" for s in sizes]
            + [f"workers MB {s:,}" for s in sizes]
            + [f"growth {sizes[-1]:,}/{sizes[0]:,}", f"target <= {MAX_GROWTH}x",
               "anon growth", "load"])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in result["rows"]:
        per = row["per_size"]
        loads = [x for s in sizes for x in per[s]["load"]]
        cells = ([row["engine"], str(row["jobs"])]
                 + [f"{per[s]['peak_rss_mb']:.0f}" for s in sizes]
                 + [f"{per[s]['peak_anon_mb']:.0f} / {per[s]['peak_file_mb']:.0f}"
                    for s in sizes]
                 + [f"{per[s]['workers_peak_rss_mb']:.0f}" if per[s]["workers_peak_rss_mb"]
                    else "-" for s in sizes]
                 + [f"{row['growth']:.2f}x",
                    "met" if row["growth"] <= MAX_GROWTH else "NOT met",
                    f"{row['anon_growth']:.2f}x", f"{min(loads):.2f}-{max(loads):.2f}"])
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.phase_memory",
                                description="ingest peak RSS per engine, jobs and size")
    p.add_argument("--sizes", default="10000,100000", help="section counts, smallest first")
    p.add_argument("--engines", default="whoosh,tantivy")
    p.add_argument("--jobs", default="1,2")
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-dir", default=str(HERE / "data"))
    p.add_argument("--out", help="also write the figures as JSON here")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    result = compare(sizes, args.engines.split(","), [int(j) for j in args.jobs.split(",")],
                     max(1, args.reps), Path(args.data_dir), args.seed,
                     log=lambda m: print(m, file=sys.stderr, flush=True))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1))
    print(table(result))
    print()
    print(phase_table(result))
    return 0 if all(r["growth"] <= MAX_GROWTH for r in result["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
