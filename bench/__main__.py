"""``python -m bench [--quick] [--smoke] [--sizes 1000,10000,100000] [--out FILE]``

Generates the synthetic archive (cached in bench/data/), runs every phase, prints the
figures as Markdown tables and writes them, with the machine description, as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from bench import (corpus, phase_engines, phase_extract, phase_ingest, phase_memory,
                   phase_relevance, phase_search, phase_web, stats)
from bench.pdfs import ensure_pdfs
from bench.tables import checks, markdown

HERE = Path(__file__).resolve().parent
PHASES = ("extract", "ingest", "memory", "search", "relevance", "web", "engines")
#: The engines phase (both search engines side by side, bench/phase_engines.py) builds every
#: index twice more: full runs only, unless asked for with --phases.
QUICK_PHASES = PHASES[:-1]

#: Per mode: corpus sizes, PDFs, repetitions, query-mix loops per rep, web seconds per
#: side, reports per format for extraction, and the largest size for jobs=1/2 ingest A/B.
MODES = {
    "smoke": dict(sizes=[300], pdfs=2, reps=3, loops=2, web_s=1.0, per_format=10, ab_max=300),
    "quick": dict(sizes=[1000, 10000], pdfs=6, reps=3, loops=5, web_s=3.0, per_format=40,
                  ab_max=1000),
    "full": dict(sizes=[1000, 10000], pdfs=20, reps=5, loops=20, web_s=10.0, per_format=120,
                 ab_max=10000),
}
#: Ingest memory runs 3 times up to this size; above it the single index build is measured.
MEMORY_REPS_MAX_SIZE = 10000


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="short run (< 5 min on 2 cores)")
    p.add_argument("--smoke", action="store_true",
                   help="with --quick: a few dozen reports, one size (for CI)")
    p.add_argument("--sizes", help="comma-separated section counts, e.g. 1000,10000,100000")
    p.add_argument("--out", default=str(HERE / "out" / "latest.json"), help="result JSON path")
    p.add_argument("--data-dir", default=str(HERE / "data"), help="generated corpora and indexes")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--reps", type=int, help=f"repetitions per figure (>= {stats.MIN_REPS})")
    p.add_argument("--phases", help="subset of " + ",".join(PHASES) + " (default: all; "
                   "--quick: all but engines)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    cfg = dict(MODES[mode])
    if args.sizes:
        cfg["sizes"] = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    reps = max(stats.MIN_REPS, args.reps or cfg["reps"])
    phases = {p.strip() for p in (args.phases or ",".join(
        PHASES if mode == "full" else QUICK_PHASES)).split(",")}
    # The phases before "engines" compare our Whoosh engine with raw Whoosh: they build
    # and read Whoosh indexes whatever the default engine is.
    os.environ["REPORT_ARCHIVE_ENGINE"] = "whoosh"
    data_dir = Path(args.data_dir)
    work = data_dir / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    result: dict = {"mode": mode, "seed": args.seed, "reps": reps, "machine": stats.machine(),
                    "config": cfg, "profile": corpus.PROFILE.__dict__, "sizes": {}}
    log(f"bench ({mode}): sizes {cfg['sizes']}, {reps} reps; generating corpora in {data_dir}")
    manifests = {n: corpus.ensure_corpus(data_dir, n, args.seed) for n in cfg["sizes"]}
    smallest = manifests[cfg["sizes"][0]]

    if "extract" in phases:
        log("extraction")
        by_format = {f: [] for f in ("pdf", "html", "text", "markdown")}
        for path in corpus.corpus_paths(smallest):
            fmt = {".html": "html", ".txt": "text", ".md": "markdown"}[path.suffix]
            if len(by_format[fmt]) < cfg["per_format"]:
                by_format[fmt].append(path)
        by_format["pdf"] = ensure_pdfs(data_dir, cfg["pdfs"], args.seed)
        result["extraction"] = phase_extract.run(by_format, reps, log)

    if "ingest" in phases:
        ab_size = max([n for n in cfg["sizes"] if n <= cfg["ab_max"]] or cfg["sizes"][:1])
        log(f"ingest ({ab_size} sections)")
        ab_paths = corpus.corpus_paths(manifests[ab_size])
        result["ingest"] = phase_ingest.run_ingest(ab_paths, work, reps, log)
        result["ingest"]["sections"] = ab_size
        result["index_write"] = phase_ingest.run_index_write(
            corpus.corpus_paths(smallest), work, reps, log)

    index_dirs = {}
    if phases & {"memory", "search", "relevance", "web"}:
        for size in cfg["sizes"]:
            manifest = manifests[size]
            per = result["sizes"][str(size)] = {
                "corpus": {k: v for k, v in manifest.items() if k not in ("files", "root")}}
            log(f"size {size:,} sections ({manifest['reports']:,} reports)")
            index_dir = index_dirs[size] = data_dir / f"index-{size}-s{args.seed}"
            # Without the memory phase the index is still built once, in the same way.
            mem_reps = stats.MIN_REPS if size <= MEMORY_REPS_MAX_SIZE and "memory" in phases else 1
            per["memory"] = phase_memory.run(corpus.corpus_paths(manifest), index_dir,
                                             mem_reps, work, log=log)
            size_mb = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()) / 1e6
            per["index_mb"] = size_mb
            per["index_mb_per_1k_sections"] = size_mb / (manifest["sections"] / 1000.0)
            if "search" in phases:
                per["search"] = phase_search.run(index_dir, args.seed, reps, cfg["loops"], log)
            if "relevance" in phases:
                per["relevance"] = phase_relevance.run(index_dir, reps, cfg["loops"], log)

    if "relevance" in phases:
        log("relevance quality (sample archive)")
        result["relevance_quality"] = phase_relevance.quality(work, log)

    if "web" in phases and index_dirs:
        size = max(index_dirs)
        log(f"web ({size:,} sections)")
        result["web"] = phase_web.run(index_dirs[size], args.seed, reps, cfg["web_s"], work, log)
        result["web"]["sections"] = size

    if "engines" in phases:
        os.environ.pop("REPORT_ARCHIVE_ENGINE", None)
        log("engines side by side")
        result["engines"] = phase_engines.run(cfg["sizes"], data_dir, args.seed, reps,
                                              cfg["loops"], cfg["web_s"], log)

    result["load_avg_at_end"] = os.getloadavg()
    result["checks"] = checks(result)
    result["seconds"] = time.perf_counter() - started
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=str))
    print(markdown(result))
    if "engines" in result:
        print("\n" + phase_engines.table(result["engines"]))
    print(f"\nTotal {result['seconds']:.0f} s; figures in {out}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
