"""The two embedded engines side by side, on the same generated archive and query mix.

``python -m bench.phase_engines [--quick] [--sizes 1000,10000,100000] [--reps 3]`` (also
the ``engines`` phase of ``python -m bench``). Per size, with the engines' order
alternated per repetition and medians over repetitions:

- ingest: ``bench.child`` (a fresh process: ``ingest_paths`` with $REPORT_ARCHIVE_ENGINE)
  with jobs 2 into a fresh directory, and jobs 1 up to `JOBS1_MAX` sections (above it one
  jobs=2 build per engine, not a median of repetitions): seconds,
  reports/s, peak RSS of the ingest process and of its workers; the index size on disk;
- query p50/p95 in process (`Index.search`: facets over the whole match set, snippets)
  per kind of `phase_search.query_mix` (``no_hit_suggest`` is did-you-mean: a typo
  corrected from the vocabulary);
- raw tantivy doing the same work for the plain kinds (word, phrase, id): its own query
  parser over our default fields with our boosts, sections only (the same totals, checked:
  ``raw_same_totals``), top 10 with stored fields and snippets, the exact total and the
  same facet counts (our aggregation);
- web (`phase_web.run`: 8 clients through ``serve``) on each engine: req/s, p95, errors
  and the server's peak RSS.

Targets for tantivy at 100k sections (issue #11): search p95 <= 20 ms and within 1.5x of
raw tantivy; web >= 10x Whoosh's req/s with 0 errors; server peak RSS < 400 MB; ingest
peak RSS 100k / 10k <= 1.3x.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import corpus, phase_web, stats
from bench.phase_search import query_mix

HERE = Path(__file__).resolve().parent
ENGINES = ("whoosh", "tantivy")
#: jobs=1 ingest runs up to this size (at 100k it would double a long run for one figure).
JOBS1_MAX = 10_000
RAW_KINDS = ("word", "phrase", "id")


def _du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6


def ingest_child(engine: str, paths: list[Path], index_dir: Path, jobs: int, work: Path) -> dict:
    """One ingest in a fresh subprocess with `engine`: its JSON line (seconds, peaks)."""
    list_file = work / f"files-{engine}-{index_dir.name}.json"
    list_file.write_text(json.dumps([str(p) for p in paths]))
    env = dict(os.environ, REPORT_ARCHIVE_ENGINE=engine)
    done = subprocess.run([sys.executable, "-m", "bench.child", str(index_dir), str(jobs),
                           str(list_file)], capture_output=True, text=True, env=env,
                          cwd=HERE.parent)
    if done.returncode != 0:
        raise RuntimeError(f"{engine} ingest failed ({done.returncode}):\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["failed"] or result["added"] != len(paths):
        raise RuntimeError(f"{engine} ingest added {result['added']} of {len(paths)} reports")
    return result


def run_ingest(paths: list[Path], sections: int, keep: dict[str, Path], reps: int,
               work: Path, log=print) -> dict:
    """Ingest figures per engine and jobs; the first jobs=2 build of each engine stays at
    keep[engine] (the index the search and web figures use)."""
    out: dict = {"reports": len(paths), "sections": sections}
    jobs_list = (2, 1) if sections <= JOBS1_MAX else (2,)
    for jobs in jobs_list:
        def side(engine):
            def once(rep: int) -> dict:
                target = keep[engine] if jobs == 2 and not keep[engine].exists() \
                    else work / f"ingest-{engine}-{jobs}-{rep}"
                shutil.rmtree(target, ignore_errors=True) if target != keep[engine] else None
                result = ingest_child(engine, paths, target, jobs, work)
                result["index_mb"] = _du_mb(target)
                if target != keep[engine]:
                    shutil.rmtree(target, ignore_errors=True)
                return result
            return once
        sides = {e: side(e) for e in ENGINES}
        # Above JOBS1_MAX one build per engine (a 100k build takes minutes): not a median.
        runs = stats.alternate(reps, sides) if sections <= JOBS1_MAX else \
            {e: [fn(0)] for e, fn in sides.items()}
        for engine, rs in runs.items():
            out.setdefault(engine, {})[f"jobs{jobs}"] = {
                "reports_per_s": stats.median([len(paths) / r["seconds"] for r in rs]),
                "seconds": stats.median([r["seconds"] for r in rs]),
                "peak_rss_mb": stats.median([r["peak_rss_mb"] for r in rs]),
                "workers_peak_rss_mb": stats.median([r["children_peak_rss_mb"] for r in rs]),
                "reps": len(rs)}
    for engine in ENGINES:
        out[engine]["index_mb"] = _du_mb(keep[engine])
        j2 = out[engine]["jobs2"]
        log(f"    ingest {engine}: jobs=2 {j2['reports_per_s']:.0f} reports/s, peak RSS "
            f"{j2['peak_rss_mb']:.0f} MB (workers {j2['workers_peak_rss_mb']:.0f}), index "
            f"{out[engine]['index_mb']:.0f} MB")
    return out


class RawTantivy:
    """Plain tantivy doing the same work as a search of ours: its own query parser over our
    default fields with our boosts, restricted to sections (so the total is ours), top 10
    with stored fields and a snippet each, the exact total and the same facets (our
    engine's aggregation, `facet_spec`)."""

    def __init__(self, index_dir: Path) -> None:
        import tantivy

        from search._tantivy_engine import _open_index
        from search._tantivy_facets import facet_spec
        from search._whoosh_query import DEFAULT_FIELDS
        self.tantivy = tantivy
        self.ix = _open_index(index_dir, create=False)
        self.ix.reload()
        self.searcher = self.ix.searcher()
        self.fields = DEFAULT_FIELDS
        self.aggs = facet_spec()
        self.sections = tantivy.Query.const_score_query(
            tantivy.Query.term_query(self.ix.schema, "kind", "section"), 0.0)

    def run(self, text: str) -> int:
        tv = self.tantivy
        parsed = self.ix.parse_query(text, list(self.fields), field_boosts=self.fields)
        q = tv.Query.boolean_query([(tv.Occur.Must, parsed), (tv.Occur.Must, self.sections)])
        found = self.searcher.search(q, limit=10, count=True)
        gen = tv.SnippetGenerator.create(self.searcher, q, self.ix.schema, "text")
        for _, addr in found.hits:
            doc = self.searcher.doc(addr).to_dict()
            gen.snippet_from_doc(tv.Document(
                text=json.loads(doc["data"][0])["t"])).highlighted()
        self.searcher.aggregate(q, self.aggs)
        return found.count


def run_search(indexes: dict[str, Path], seed: int, reps: int, loops: int, log=print) -> dict:
    """p50/p95 (ms) per query kind and engine, and raw tantivy on the plain kinds."""
    from search import Index, SearchRequest

    mix = query_mix(seed)
    requests = {name: SearchRequest(**spec["req"]) for name, spec in mix.items()}
    opened = {engine: Index(path) for engine, path in indexes.items()}
    totals = {engine: {n: idx.search(r).total for n, r in requests.items()}
              for engine, idx in opened.items()}  # also warms every side
    raw = RawTantivy(indexes["tantivy"])
    raw_totals = {k: raw.run(mix[k]["raw"]) for k in RAW_KINDS}

    def side(fn, names):
        def once(rep: int):
            samples: dict[str, list[float]] = {n: [] for n in names}
            for _ in range(loops):
                for name in names:
                    start = time.perf_counter()
                    fn(name)
                    samples[name].append((time.perf_counter() - start) * 1000.0)
            return samples
        return once

    sides = {e: side(lambda n, idx=idx: idx.search(requests[n]), list(mix))
             for e, idx in opened.items()}
    sides["raw_tantivy"] = side(lambda n: raw.run(mix[n]["raw"]), list(RAW_KINDS))
    runs = stats.alternate(reps, sides)
    # the same work: raw tantivy finds the sections we find
    same = all(raw_totals[k] == totals["tantivy"][k] for k in RAW_KINDS)
    out: dict = {"totals": totals, "raw_tantivy_totals": raw_totals, "raw_same_totals": same,
                 "loops": loops}
    for name, rep_samples in runs.items():
        kinds = list(rep_samples[0])
        flat = [[v for vs in rs.values() for v in vs] for rs in rep_samples]
        out[name] = {
            "p50_ms": stats.median([stats.percentile(f, 50) for f in flat]),
            "p95_ms": stats.median([stats.percentile(f, 95) for f in flat]),
            "kinds": {k: {"p50_ms": stats.median([stats.percentile(rs[k], 50)
                                                  for rs in rep_samples]),
                          "p95_ms": stats.median([stats.percentile(rs[k], 95)
                                                  for rs in rep_samples])} for k in kinds}}
    plain = [[v for k in RAW_KINDS for v in rs[k]] for rs in runs["tantivy"]]
    out["tantivy_plain_p95_ms"] = stats.median([stats.percentile(f, 95) for f in plain])
    out["tantivy_vs_raw_p95"] = out["tantivy_plain_p95_ms"] / out["raw_tantivy"]["p95_ms"]
    for idx in opened.values():
        idx.close()
    log("    search: " + "; ".join(f"{e} p50 {out[e]['p50_ms']:.1f} ms p95 "
                                   f"{out[e]['p95_ms']:.1f} ms" for e in sides))
    return out


def run(sizes: list[int], data_dir: Path, seed: int, reps: int, loops: int, web_s: float,
        log=print) -> dict:
    """Every figure of the module docs, per size (the web at every size)."""
    work = data_dir / "work-engines"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    result: dict = {"reps": reps, "sizes": {}}
    try:
        for size in sizes:
            manifest = corpus.ensure_corpus(data_dir, size, seed)
            paths = corpus.corpus_paths(manifest)
            log(f"engines, {manifest['sections']:,} sections ({len(paths):,} reports)")
            keep = {e: work / f"index-{e}-{size}" for e in ENGINES}
            per = result["sizes"][str(size)] = {}
            per["ingest"] = run_ingest(paths, manifest["sections"], keep, reps, work, log)
            per["search"] = run_search(keep, seed, reps, loops, log)
            per["web"] = {}
            for engine in ENGINES:
                log(f"    web ({engine})")
                per["web"][engine] = phase_web.run(keep[engine], seed, reps, web_s, work, log)
            whoosh, tantivy = per["web"]["whoosh"], per["web"]["tantivy"]
            if whoosh.get("server", {}).get("rps"):
                per["web"]["tantivy_vs_whoosh_req_per_s"] = \
                    tantivy["server"]["rps"] / whoosh["server"]["rps"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.phase_engines",
                                description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="1k and 10k sections, short runs")
    p.add_argument("--sizes", help="section counts, e.g. 1000,10000,100000")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--loops", type=int, default=5)
    p.add_argument("--web-s", type=float, default=5.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-dir", default=str(HERE / "data"))
    p.add_argument("--out", default=str(HERE / "out" / "engines.json"))
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    sizes = sorted(int(s) for s in (args.sizes or "1000,10000").split(","))
    if args.quick:
        args.web_s, args.loops = min(args.web_s, 3.0), min(args.loops, 3)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    result = run(sizes, Path(args.data_dir), args.seed, max(stats.MIN_REPS, args.reps),
                 args.loops, args.web_s, log)
    result["machine"] = stats.machine()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=str))
    print(table(result))
    return 0


def table(result: dict) -> str:
    """The figures as one Markdown table per kind, engines side by side."""
    lines = ["| sections | engine | ingest j2 rep/s | j1 rep/s | ingest peak MB | workers MB "
             "| index MB | search p50 | p95 | word p95 | phrase p95 | id p95 | filter p95 "
             "| period p95 | did-you-mean p95 | web req/s | web p95 ms | errors | server MB |",
             "|" + "---|" * 19]
    for size, per in result["sizes"].items():
        for engine in ENGINES:
            ing, s = per["ingest"][engine], per["search"][engine]
            k = s["kinds"]
            web = per["web"][engine].get("server", {})
            lines.append(
                f"| {int(size):,} | {engine} | {ing['jobs2']['reports_per_s']:.0f} | "
                f"{ing.get('jobs1', {}).get('reports_per_s', float('nan')):.0f} | "
                f"{ing['jobs2']['peak_rss_mb']:.0f} | {ing['jobs2']['workers_peak_rss_mb']:.0f} | "
                f"{ing['index_mb']:.0f} | {s['p50_ms']:.1f} | {s['p95_ms']:.1f} | "
                f"{k['word']['p95_ms']:.1f} | {k['phrase']['p95_ms']:.1f} | {k['id']['p95_ms']:.1f} | "
                f"{k['entity_filter']['p95_ms']:.1f} | {k['period_range']['p95_ms']:.1f} | "
                f"{k['no_hit_suggest']['p95_ms']:.1f} | {web.get('rps', 0):.1f} | "
                f"{web.get('p95_ms', 0):.0f} | {web.get('errors', '?')} | "
                f"{per['web'][engine].get('server_peak_rss_mb') or 0:.0f} |")
        s = per["search"]
        lines.append(f"| {int(size):,} | raw tantivy | | | | | | {s['raw_tantivy']['p50_ms']:.1f} | "
                     f"{s['raw_tantivy']['p95_ms']:.1f} | (ours on the same kinds: p95 "
                     f"{s['tantivy_plain_p95_ms']:.1f}, {s['tantivy_vs_raw_p95']:.2f}x; same "
                     f"totals: {'yes' if s.get('raw_same_totals') else 'NO'}) |"
                     + " |" * 10)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
