"""Memory and time of exporting a whole result set: streamed vs collected page by page.

    .venv/bin/python -m bench.export_memory                 # 10k-section corpus, 1k/5k/10k rows
    .venv/bin/python -m bench.export_memory --sections 2000 --rows 500,2000

`streamed` is what ``/api/search.csv`` and ``search --format csv`` do: `Index.iter_hits`
(one query, hits built 100 at a time) through `web.export.csv_lines` into a sink.
`paged` is the obvious alternative: `Index.search` page after page (100 per page) into a
list, then the same CSV writer. Peak Python heap by tracemalloc above what the warm index
already holds (searcher, facet table: one untimed query first), and seconds without
tracemalloc; medians of `--reps` runs in alternating order (bench.stats). The query is the
empty one (every section, newest first), so the row count is exactly what is asked.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

from bench import stats
from bench.corpus import corpus_paths, ensure_corpus
from search import Index, SearchRequest, ingest_paths
from web.export import csv_lines

HERE = Path(__file__).resolve().parent


def _link(report_id: str, anchor: str) -> str:
    return f"http://127.0.0.1:8000/reports/{report_id}#{anchor}"


def streamed(index: Index, rows: int) -> int:
    written = 0
    for line in csv_lines(index.iter_hits(SearchRequest(sort="newest"), rows), _link):
        written += len(line)
    return written


def paged(index: Index, rows: int) -> int:
    from search import Export

    hits, page = [], 1
    while len(hits) < rows:
        response = index.search(SearchRequest(sort="newest", per_page=100, page=page))
        hits += response.hits
        if page >= response.pages:
            break
        page += 1
    hits = hits[:rows]
    written = 0
    for line in csv_lines(Export(total=len(hits), limit=len(hits), hits=iter(hits)), _link):
        written += len(line)
    return written


def _peak_mb(fn, index: Index, rows: int) -> float:
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    fn(index, rows)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / 1e6


def _seconds(fn, index: Index, rows: int) -> float:
    started = time.perf_counter()
    fn(index, rows)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=10_000)
    parser.add_argument("--rows", default="1000,5000,10000")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=HERE / "data")
    args = parser.parse_args(argv)
    manifest = ensure_corpus(args.data_dir, args.sections)
    index_dir = args.data_dir / f"export-index-{manifest['sections']}"
    if not (index_dir / "summary.json").exists():
        ingest_paths(corpus_paths(manifest), index_dir, jobs=2)
    index = Index(index_dir)
    index.search(SearchRequest(sort="newest"))  # warm: searcher, facet table, summary
    print(f"{manifest['sections']:,} sections; peak heap above the warm index (MB) and "
          f"seconds, median of {args.reps}")
    print("| rows | streamed MB | paged MB | ratio | streamed s | paged s | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for rows in (int(r) for r in args.rows.split(",")):
        mem = stats.alternate(args.reps, {
            "streamed": lambda _rep, r=rows: _peak_mb(streamed, index, r),
            "paged": lambda _rep, r=rows: _peak_mb(paged, index, r)})
        sec = stats.alternate(args.reps, {
            "streamed": lambda _rep, r=rows: _seconds(streamed, index, r),
            "paged": lambda _rep, r=rows: _seconds(paged, index, r)})
        ms, mp = stats.median(mem["streamed"]), stats.median(mem["paged"])
        ss, sp = stats.median(sec["streamed"]), stats.median(sec["paged"])
        print(f"| {rows:,} | {ms:.1f} | {mp:.1f} | {mp / ms:.1f}x | {ss:.2f} | {sp:.2f} | "
              f"{sp / ss:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
