"""Search latency of a fixed query mix: `Index.search` next to raw Whoosh on the same index.

Sides, alternated per repetition (ABC, then CBA):
- ``ours``: ``Index(path).search(SearchRequest(...))`` (parse, filters, facets, snippets,
  did-you-mean), the index opened once as the web app does;
- ``raw``: a Whoosh searcher on the same index, the same words parsed by Whoosh's own
  ``QueryParser`` on the text field, top 10 with stored fields and the total count;
- ``raw_facets``: ``raw`` plus the same five facet groupings ours asks for, to show how
  much of the gap is Whoosh's faceting itself.
A repetition runs the whole mix `loops` times per side; p50/p95 are over its samples and
the figure is the median over repetitions.
"""

from __future__ import annotations

import time

from bench import stats
from bench.vocab import entity_pool

def query_mix(seed: int) -> dict[str, dict]:
    """The fixed mix; the ID and entity come from the generator's most frequent entities."""
    pool = entity_pool(seed)
    doc_id = pool["document"][0].name if pool.get("document") else "DMTN-208"
    system = pool["system"][0].name if pool.get("system") else "Butler"
    return {
        "word": {"req": {"q": "calibration"}, "raw": "calibration"},
        "phrase": {"req": {"q": '"test plan"'}, "raw": '"test plan"'},
        "id": {"req": {"q": doc_id}, "raw": doc_id},
        "entity_filter": {"req": {"q": "release", "entity": system}, "raw": "release",
                          "raw_entity": system.lower()},
        "period_range": {"req": {"q": "deployment", "period_from": "2018-01",
                                 "period_to": "2019-12"},
                         "raw": "deployment", "raw_period": ("2018-01", "2019-12")},
        "no_hit_suggest": {"req": {"q": "calibratoin"}, "raw": "calibratoin"},
    }


class RawSearcher:
    """Plain Whoosh on our index: QueryParser over `text`, top 10, stored fields, total."""

    def __init__(self, index_dir, facets: bool) -> None:
        from whoosh import index
        from whoosh.qparser import QueryParser

        self.ix = index.open_dir(str(index_dir), indexname=_index_name(index_dir))
        self.searcher = self.ix.searcher()
        self.parser = QueryParser("text", self.ix.schema)
        self.facets = facets

    def run(self, spec: dict) -> int:
        from whoosh import query as wq
        from whoosh.sorting import Count, FieldFacet

        q = self.parser.parse(spec["raw"])
        if "raw_entity" in spec:
            q = wq.And([q, wq.Term("entity", spec["raw_entity"])])
        if "raw_period" in spec:
            q = wq.And([q, wq.TermRange("period", *spec["raw_period"])])
        kwargs = {}
        if self.facets:
            kwargs = {"groupedby": {"type": FieldFacet("etype", allow_overlap=True),
                                    "entity": FieldFacet("entkey", allow_overlap=True),
                                    "year": FieldFacet("year"), "section": FieldFacet("heading"),
                                    "format": FieldFacet("format")}, "maptype": Count}
        results = self.searcher.search(q, limit=10, terms=True, **kwargs)
        for hit in results:
            hit.fields()
        return len(results)

    def close(self) -> None:
        self.searcher.close()


def _raw_suggest(raw: RawSearcher, reps: int) -> dict:
    """Whoosh's own corrector on the no-hit word, by required common prefix length: the
    library cost of did-you-mean (prefix 0 compares the word with every indexed term)."""
    corrector = raw.searcher.corrector("text")
    runs = stats.alternate(reps, {
        f"prefix{n}": (lambda rep, n=n: stats.timed(
            lambda: corrector.suggest("calibratoin", limit=1, maxdist=2, prefix=n)) * 1000.0)
        for n in (0, 1, 2)})
    return {name: stats.median(samples) for name, samples in runs.items()}


def _index_name(index_dir) -> str:
    try:
        from search._writer import INDEX_NAME
    except ImportError:
        return "MAIN"
    return INDEX_NAME


def run(index_dir, seed: int, reps: int, loops: int, log=print) -> dict:
    """p50/p95 latency (ms) per side over the mix, plus per-query p50 and hit counts."""
    from search import Index, SearchRequest

    mix = query_mix(seed)
    idx = Index(index_dir)
    requests = {name: SearchRequest(**spec["req"]) for name, spec in mix.items()}
    raw, raw_f = RawSearcher(index_dir, facets=False), RawSearcher(index_dir, facets=True)
    totals = {name: {"ours": idx.search(req).total, "raw": raw.run(mix[name])}
              for name, req in requests.items()}  # also warms caches on every side
    for spec in mix.values():
        raw_f.run(spec)
    suggestion = idx.search(requests["no_hit_suggest"]).suggestion

    def side(call):
        def once(rep: int):
            samples: dict[str, list[float]] = {n: [] for n in mix}
            for _ in range(loops):
                for name in mix:
                    start = time.perf_counter()
                    call(name)
                    samples[name].append((time.perf_counter() - start) * 1000.0)
            return samples
        return once

    runs = stats.alternate(reps, {
        "ours": side(lambda n: idx.search(requests[n])),
        "raw": side(lambda n: raw.run(mix[n])),
        "raw_facets": side(lambda n: raw_f.run(mix[n])),
    })
    out_suggest = _raw_suggest(raw, reps)
    raw.close()
    raw_f.close()
    out = {"queries": {n: {"request": s["req"], "total_ours": totals[n]["ours"],
                           "total_raw": totals[n]["raw"]} for n, s in mix.items()},
           "suggestion": suggestion, "loops": loops, "raw_suggest_ms": out_suggest}
    for name, rep_samples in runs.items():
        flat = [[v for vs in rs.values() for v in vs] for rs in rep_samples]
        out[name] = {
            "p50_ms": stats.median([stats.percentile(f, 50) for f in flat]),
            "p95_ms": stats.median([stats.percentile(f, 95) for f in flat]),
            "p95_reps": [stats.percentile(f, 95) for f in flat],
            "per_query_p50_ms": {q: stats.median([stats.percentile(rs[q], 50) for rs in rep_samples])
                                 for q in mix},
        }
    out["ratio_p95_ours_vs_raw"] = out["ours"]["p95_ms"] / out["raw"]["p95_ms"]
    out["ratio_p95_ours_vs_raw_facets"] = out["ours"]["p95_ms"] / out["raw_facets"]["p95_ms"]
    log(f"    search: ours p50 {out['ours']['p50_ms']:.1f} ms p95 {out['ours']['p95_ms']:.1f} ms; "
        f"raw p95 {out['raw']['p95_ms']:.1f} ms; raw+facets p95 {out['raw_facets']['p95_ms']:.1f} ms")
    return out
