"""Markdown tables of a result document, and the pass/fail check of each target."""

from __future__ import annotations


def _f(value, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _table(head: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_f(c) if not isinstance(c, str) else c for c in row) + " |"
              for row in rows]
    return lines + [""]


def checks(result: dict) -> list[dict]:
    """Each target with its measured value and whether it is met."""
    out = []

    def add(name: str, target: str, value, ok: bool | None) -> None:
        out.append({"check": name, "target": target, "value": value, "ok": ok})

    for fmt, row in result.get("extraction", {}).items():
        if fmt != "markdown":
            add(f"extract {fmt}: ours vs raw", ">= 0.8x", round(row["ratio_ours_vs_raw"], 2),
                row["ratio_ours_vs_raw"] >= 0.8)
    ing = result.get("ingest", {})
    if "speedup_jobs2" in ing:
        add("ingest speed-up jobs=2", ">= 1.7x", round(ing["speedup_jobs2"], 2),
            ing["speedup_jobs2"] >= 1.7)
    sizes = result.get("sizes", {})
    for size, per in sizes.items():
        s = per.get("search")
        if s:
            add(f"search p95 at {int(size):,} sections: ours vs raw", "<= 1.5x",
                round(s["ratio_p95_ours_vs_raw"], 2), s["ratio_p95_ours_vs_raw"] <= 1.5)
    if "10000" in sizes and "100000" in sizes and sizes["100000"].get("search"):
        growth = sizes["100000"]["search"]["ours"]["p95_ms"] / sizes["10000"]["search"]["ours"]["p95_ms"]
        add("search p95 100k vs 10k", "<= 10x", round(growth, 2), growth <= 10)
    for size, per in sizes.items():
        r = per.get("relevance")
        if r and int(size) >= 10000:
            add(f"most-words vs all-words p95 at {int(size):,} sections", "<= 2x",
                round(r["ratio_p95_most_vs_all"], 2), r["ratio_p95_most_vs_all"] <= 2)
        if r and int(size) >= 100000:
            add(f"one-word typo correction p95 at {int(size):,} sections", "< 20 ms",
                round(r["correction"]["p95_ms"], 2), r["correction"]["p95_ms"] < 20)
    quality = result.get("relevance_quality")
    if quality:
        add("relevance MRR@10 ours vs substring baseline", ">= baseline",
            round(quality["ours"]["mrr10"], 3),
            quality["ours"]["mrr10"] >= quality["baseline"]["mrr10"])
    web = result.get("web")
    if web:
        add("web errors under load", "0", web["server"]["errors"], web["server"]["errors"] == 0)
    mem = [(int(k), v["memory"]) for k, v in sizes.items() if v.get("memory", {}).get("reps", 0) >= 3]
    if len(mem) >= 2:
        (small, a), (large, b) = mem[0], mem[-1]
        growth = b["peak_rss_mb"] / a["peak_rss_mb"]
        add(f"ingest peak RSS {large:,} vs {small:,} sections", "flat (<= 1.2x)",
            round(growth, 2), growth <= 1.2)
    return out


def markdown(result: dict) -> str:
    """All figures as Markdown tables (what `python -m bench` prints)."""
    m = result["machine"]
    lines = [f"Machine: {m['cores']} cores, {m['cpu']}, {m['ram_gb']} GB RAM, Python {m['python']}; "
             + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
             + f". Mode: {result['mode']}, git {m.get('git')}.", ""]
    ext = result.get("extraction")
    if ext:
        lines += ["### Extraction (median of alternated passes over the same bytes)", ""]
        rows = []
        for fmt, r in ext.items():
            u = r["unit"]
            rows.append([fmt, f"{r['files']} files / {r[u]} {u}", r["ours"][f"{u}_per_s"],
                         r["full"][f"{u}_per_s"], r["raw"][f"{u}_per_s"],
                         f"{r['ratio_ours_vs_raw']:.2f}x", r["ours"]["seconds"]["reps"]])
        lines += _table(["format", "input", "ours /s", "extract_report /s", "raw lib /s",
                         "ours vs raw", "reps"], rows)
    ing = result.get("ingest")
    if ing:
        lines += [f"### Ingest (`search.ingest_paths`, {ing['reports']} reports, fresh index each run)", ""]
        lines += _table(["jobs", "reports/s", "seconds (median)", "reps"], [
            [j[-1], ing[j]["reports_per_s"], ing[j]["seconds"]["median"], ing[j]["seconds"]["reps"]]
            for j in ("jobs1", "jobs2")] + [["speed-up", f"{ing['speedup_jobs2']:.2f}x", "", ""]])
    w = result.get("index_write")
    if w and "ours" in w:
        lines += [f"### Index write ({w['sections']} sections of {w['reports']} extracted reports)", ""]
        lines += _table(["writer", "seconds", "sections/s", "reps"], [
            ["ours (search._writer.write_reports)", w["ours"]["seconds"]["median"],
             w["ours"]["sections_per_s"], w["ours"]["seconds"]["reps"]],
            ["raw whoosh (id, heading, stemmed text)", w["raw"]["seconds"]["median"],
             w["raw"]["sections_per_s"], w["raw"]["seconds"]["reps"]]]
            + ([["raw whoosh, procs=2 (multisegment)", w["raw_procs2"]["seconds"]["median"],
                 w["raw_procs2"]["sections_per_s"], w["raw_procs2"]["seconds"]["reps"]]]
               if "raw_procs2" in w else []))
    sizes = result.get("sizes", {})
    if sizes:
        lines += ["### Per corpus size", ""]
        rows = []
        for size, per in sizes.items():
            s, mem = per.get("search", {}), per.get("memory", {})
            rows.append([f"{int(size):,}", per["corpus"]["reports"],
                         s.get("ours", {}).get("p50_ms"), s.get("ours", {}).get("p95_ms"),
                         s.get("raw", {}).get("p95_ms"), s.get("raw_facets", {}).get("p95_ms"),
                         f"{s['ratio_p95_ours_vs_raw']:.2f}x" if s else "n/a",
                         mem.get("peak_rss_mb"), mem.get("reps"), mem.get("reports_per_s"),
                         per.get("index_mb_per_1k_sections")])
        lines += _table(["sections", "reports", "search p50 ms", "p95 ms", "raw p95 ms",
                         "raw+facets p95 ms", "p95 ours/raw", "ingest peak RSS MB", "RSS reps",
                         "build reports/s", "index MB per 1k sections"], rows)
        q_rows = []
        for size, per in sizes.items():
            s = per.get("search")
            if s:
                for q, v in s["ours"]["per_query_p50_ms"].items():
                    q_rows.append([f"{int(size):,}", q, v, s["raw"]["per_query_p50_ms"][q],
                                   s["raw_facets"]["per_query_p50_ms"][q],
                                   s["queries"][q]["total_ours"], s["queries"][q]["total_raw"]])
        lines += ["#### Per query (p50 ms)", ""]
        lines += _table(["sections", "query", "ours", "raw", "raw+facets", "hits ours",
                         "hits raw"], q_rows)
        lib_rows = [[f"{int(size):,}", *per["search"]["raw_suggest_ms"].values(),
                     per["search"]["suggestion"] or "none",
                     per.get("memory", {}).get("end_rss_anon_mb"),
                     per.get("memory", {}).get("end_rss_file_mb")]
                    for size, per in sizes.items() if per.get("search")]
        lines += ["#### Library costs behind the misses", ""]
        lines += _table(["sections", "whoosh suggest ms (prefix 0)", "prefix 1", "prefix 2",
                         "our suggestion for 'calibratoin'", "ingest end RSS anon MB",
                         "end RSS file-backed MB"], lib_rows)
    web = result.get("web")
    if web:
        sv, ip = web["server"], web["inproc"]
        lines += [f"### Web (`/api/search`, {web['clients']} clients, {web['seconds']} s per rep, "
                  f"index of {int(web['sections']):,} sections)", ""]
        lines += _table(["side", "req/s", "p50 ms", "p95 ms", "errors", "requests"], [
            ["server (waitress)", sv["rps"], sv["p50_ms"], sv["p95_ms"], sv["errors"], sv["requests"]],
            ["in-process (1 thread)", ip["rps"], ip["p50_ms"], ip["p95_ms"], "-", ip["requests"]]])
        lines += [f"Server peak RSS under load: {_f(web['server_peak_rss_mb'])} MB "
                  f"(idle {_f(web['server_idle_rss_mb'])} MB); start-up {web['startup_s']:.1f} s.", ""]
    cs = result.get("checks", [])
    if cs:
        lines += ["### Targets", ""]
        lines += _table(["check", "target", "measured", "met"],
                        [[c["check"], c["target"], _f(c["value"], 2),
                          "yes" if c["ok"] else ("NO" if c["ok"] is False else "n/a")] for c in cs])
    lines += relevance_markdown(result)
    return "\n".join(lines)


def relevance_markdown(result: dict) -> list[str]:
    """The relevance tables: mode costs, correction cost, per-kind latency, quality."""
    lines = []
    rows = []
    for size, per in result.get("sizes", {}).items():
        r = per.get("relevance")
        if not r:
            continue
        rows.append([f"{int(size):,}", r["modes"]["all_words"]["p50_ms"],
                     r["modes"]["all_words"]["p95_ms"], r["modes"]["most_words"]["p50_ms"],
                     r["modes"]["most_words"]["p95_ms"], f"{r['ratio_p95_most_vs_all']:.2f}x",
                     r["correction"]["p50_ms"], r["correction"]["p95_ms"]]
                    + [r["kinds"][k]["p95_ms"] for k in sorted(r["kinds"])])
        kinds = sorted(r["kinds"])
    if rows:
        lines += ["### Relevance: mode and correction costs (ms)", ""]
        lines += _table(["sections", "all words p50", "all words p95", "most words p50",
                         "most words p95", "most/all p95", "typo fix p50", "typo fix p95"]
                        + [f"{k} p95" for k in kinds], rows)
    q = result.get("relevance_quality")
    if q:
        lines += [f"### Relevance quality ({q['queries']} judged queries over sample_reports)", ""]
        kinds = sorted(q["ours"]["per_kind"])
        lines += _table(["", "MRR@10", "recall@3"] + [f"{k} MRR" for k in kinds], [
            [side, f"{q[side]['mrr10']:.3f}", f"{q[side]['recall3']:.3f}"]
            + [f"{q[side]['per_kind'][k]['mrr10']:.3f}" for k in kinds]
            for side in ("ours", "baseline")])
    return lines
