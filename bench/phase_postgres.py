"""The PostgreSQL engine beside the embedded one, on the same archive and query mix.

``python -m bench.phase_postgres [--sizes 10000,100000] [--reps 3] [--loops 5] [--web-s 5]``
starts a throwaway PostgreSQL 15 server (tests/pg_server.py: initdb in a temporary
directory, a free port, stopped at the end) and measures, with sides alternated per
repetition (ABC, then CBA) and medians over repetitions:

- ingest (the smallest size): one ``report-archive ingest --jobs 1`` process into a fresh
  database; two such processes at once on the two halves of the files; one into a fresh
  Whoosh directory. reports/s is reports over wall-clock seconds; the target is two
  writers at 1.6x or more of one. Beside it, the CPU milliseconds per report of the
  ingest processes and of the server (its backends, read from /proc): writers and server
  share the machine's cores, so their sum over the cores bounds what two writers can gain;
- query p50/p95 in process (`Index.search`) over `phase_search.query_mix`, the PostgreSQL
  index next to a Whoosh index of the same files; target p95 <= 100 ms at 100k sections;
- web (the largest size): `phase_web.run` (8 clients against ``serve``) on each engine;
- with ``--reingest N``, the tables' size on disk after ingesting the A/B archive and after
  each of N re-ingests in which every file changed (`run_reingest`).

``--phases ingest,search`` (any of ingest, search, web) runs only those.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import corpus, phase_web, stats
from bench.phase_search import query_mix

HERE = Path(__file__).resolve().parent
REPORT_ARCHIVE = str(Path(sys.executable).with_name("report-archive"))


def server_cpu_s(cluster) -> float:
    """CPU seconds the server has used so far: the postmaster and its live processes (the
    backends, autovacuum, the WAL writer) plus those that have exited (reaped by the
    postmaster, so counted in its children's times)."""
    tick = os.sysconf("SC_CLK_TCK")
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])

    def fields(pid) -> list[str]:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    total = sum(int(x) for x in fields(postmaster)[11:15])  # utime stime cutime cstime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                own = fields(entry.name)
            except OSError:
                continue  # gone meanwhile: its time is in the postmaster's children's now
            if int(own[1]) == postmaster:
                total += int(own[11]) + int(own[12])
    return total / tick


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ingest_procs(groups: list[list[Path]], index: str, extra=(), updated: bool = False,
                  cpu: dict | None = None, cluster=None) -> float:
    """Wall-clock seconds for one `ingest --jobs 1` process per group, all at once; each
    file must be added (or, `updated`, replace its report). `cpu`, when given, gets the
    CPU seconds (user + system) of the ingest processes together (``writers``) and, with
    `cluster`, of the server meanwhile (``server``)."""
    server0 = server_cpu_s(cluster) if cpu is not None and cluster is not None else None
    children0 = _children_cpu_s()
    started = time.perf_counter()
    procs = [subprocess.Popen([REPORT_ARCHIVE, "ingest", *map(str, g), "--index", index,
                               "--jobs", "1", "--json", *extra], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
             for g in groups]
    added = 0
    for p in procs:
        out, err = p.communicate()
        if p.returncode:
            raise RuntimeError(f"ingest failed: {err.decode()[-500:]}")
        added += json.loads(out)["updated" if updated else "added"]
    seconds = time.perf_counter() - started
    if cpu is not None:
        cpu["writers"] = _children_cpu_s() - children0  # only these processes were reaped
        if server0 is not None:
            cpu["server"] = server_cpu_s(cluster) - server0
    expected = sum(len(g) for g in groups)
    if added != expected:
        raise RuntimeError(f"ingest added {added} of {expected}")
    return seconds


def run_ingest(cluster, paths: list[Path], work: Path, reps: int, log=print,
               embedded: bool = True) -> dict:
    """reports/s: 1 and 2 concurrent PostgreSQL writers, 1 Whoosh writer (fresh each rep;
    not with `embedded` False)."""
    half = len(paths) // 2
    counter = iter(range(10_000))

    cpu_samples: dict[str, list[dict]] = {}

    def pg(groups, side):
        def once(rep: int) -> float:
            name = f"bench_ingest_{next(counter)}"
            cluster.psql(f"CREATE DATABASE {name}")
            cpu: dict = {}
            try:
                return _ingest_procs(groups, cluster.url_for(name), cpu=cpu, cluster=cluster)
            finally:
                cpu_samples.setdefault(side, []).append(cpu)
                cluster.psql(f"DROP DATABASE {name} WITH (FORCE)")
        return once

    def whoosh(rep: int) -> float:
        target = Path(tempfile.mkdtemp(prefix="bench-whoosh-", dir=work))
        try:
            # Named: the default engine for a new directory is tantivy now.
            return _ingest_procs([paths], str(target / "ix"), ("--engine", "whoosh"))
        finally:
            shutil.rmtree(target, ignore_errors=True)

    sides = {"pg_1_writer": pg([paths], "pg_1_writer"),
             "pg_2_writers": pg([paths[:half], paths[half:]], "pg_2_writers")}
    if embedded:
        sides["whoosh_1_writer"] = whoosh
    seconds = stats.alternate(reps, sides)
    out = {"reports": len(paths)}
    for name, samples in seconds.items():
        out[name] = {"reports_per_s": stats.median([len(paths) / s for s in samples]),
                     "seconds": stats.summary(samples)}
    out["speedup_2_writers"] = stats.median(seconds["pg_1_writer"]) / \
        stats.median(seconds["pg_2_writers"])
    # CPU per report of the writers and of the server: on one machine both share its cores,
    # so (writers + server) / cores bounds how fast two writers can be (see bench/README)
    for side, samples in cpu_samples.items():
        got = [s for s in samples if "server" in s]
        if got:
            out[side]["cpu_ms_per_report"] = {
                part: stats.median([s[part] * 1000.0 / len(paths) for s in got])
                for part in ("writers", "server")}
    log(f"  ingest {len(paths)} reports: postgres 1 writer "
        f"{out['pg_1_writer']['reports_per_s']:.1f}/s, 2 writers "
        f"{out['pg_2_writers']['reports_per_s']:.1f}/s (x{out['speedup_2_writers']:.2f})"
        + (f"; whoosh 1 writer {out['whoosh_1_writer']['reports_per_s']:.1f}/s"
           if embedded else ""))
    for side in ("pg_1_writer", "pg_2_writers"):
        per = out[side].get("cpu_ms_per_report")
        if per:
            log(f"    {side}: CPU per report, writers {per['writers']:.1f} ms, server "
                f"{per['server']:.1f} ms")
    return out


def _table_mb(cluster, dbname: str) -> dict:
    """MB on disk of the index's tables (with their indexes and TOAST) and dead rows."""
    rows = cluster.psql(
        "SELECT relname, pg_total_relation_size(relid), n_dead_tup FROM pg_stat_user_tables "
        "WHERE schemaname = 'report_archive' AND relname IN ('sections', 'mentions', "
        "'reports') ORDER BY relname", dbname)
    out = {}
    for line in rows.splitlines():
        name, size, dead = line.split("|")
        out[name] = {"mb": round(int(size) / 1e6, 1), "dead_rows": int(dead)}
    out["database_mb"] = round(int(cluster.psql(f"SELECT pg_database_size('{dbname}')",
                                                dbname)) / 1e6, 1)
    return out


def run_reingest(cluster, paths: list[Path], work: Path, rounds: int, log=print) -> dict:
    """Table sizes after a fresh ingest and after each of `rounds` re-ingests in which every
    file changed a little (a sentence added at its end): what rewriting changed reports
    costs on disk. Autovacuum runs as the server's settings say (no VACUUM in between)."""
    copy = work / "reingest"
    shutil.rmtree(copy, ignore_errors=True)
    copy.mkdir(parents=True)
    files = []
    for i, p in enumerate(paths):
        target = copy / f"{i:05d}-{p.name}"
        shutil.copyfile(p, target)
        files.append(target)
    name = "bench_reingest"
    cluster.psql(f"CREATE DATABASE {name}")
    url = cluster.url_for(name)
    try:
        started = time.perf_counter()
        _ingest_procs([files], url)
        sizes = [{"round": 0, "seconds": round(time.perf_counter() - started, 1),
                  **_table_mb(cluster, name)}]
        for r in range(1, rounds + 1):
            for f in files:
                with f.open("a", encoding="utf-8") as out:
                    out.write(f"\nThe plan was revised again in revision {r}.\n")
            started = time.perf_counter()
            _ingest_procs([files], url, updated=True)
            sizes.append({"round": r, "seconds": round(time.perf_counter() - started, 1),
                          **_table_mb(cluster, name)})
            log(f"  re-ingest {r}: database {sizes[-1]['database_mb']} MB, sections "
                f"{sizes[-1]['sections']['mb']} MB, mentions {sizes[-1]['mentions']['mb']} MB")
    finally:
        cluster.psql(f"DROP DATABASE {name} WITH (FORCE)")
        shutil.rmtree(copy, ignore_errors=True)
    return {"reports": len(files), "rounds": sizes,
            "growth": sizes[-1]["database_mb"] / sizes[0]["database_mb"]}


def run_search(indexes: dict[str, str], seed: int, reps: int, loops: int, log=print) -> dict:
    """p50/p95 (ms) of `Index.search` over the query mix, per engine; hit counts."""
    from search import Index, SearchRequest

    mix = query_mix(seed)
    requests = {name: SearchRequest(**spec["req"]) for name, spec in mix.items()}
    opened = {engine: Index(location) for engine, location in indexes.items()}
    totals = {engine: {n: idx.search(r).total for n, r in requests.items()}
              for engine, idx in opened.items()}  # also warms every side

    def side(idx):
        def once(rep: int):
            samples: dict[str, list[float]] = {n: [] for n in mix}
            for _ in range(loops):
                for name, request in requests.items():
                    start = time.perf_counter()
                    idx.search(request)
                    samples[name].append((time.perf_counter() - start) * 1000.0)
            return samples
        return once

    runs = stats.alternate(reps, {engine: side(idx) for engine, idx in opened.items()})
    out = {"totals": totals, "loops": loops}
    for engine, rep_samples in runs.items():
        flat = [[v for vs in rs.values() for v in vs] for rs in rep_samples]
        out[engine] = {
            "p50_ms": stats.median([stats.percentile(f, 50) for f in flat]),
            "p95_ms": stats.median([stats.percentile(f, 95) for f in flat]),
            "per_query_p50_ms": {q: stats.median([stats.percentile(rs[q], 50)
                                                  for rs in rep_samples]) for q in mix},
        }
    for idx in opened.values():
        idx.close()
    log("    search: " + "; ".join(f"{e} p50 {out[e]['p50_ms']:.1f} ms p95 "
                                   f"{out[e]['p95_ms']:.1f} ms" for e in opened))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.phase_postgres",
                                description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000", help="section counts, e.g. 10000,100000")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--loops", type=int, default=5)
    p.add_argument("--web-s", type=float, default=5.0)
    p.add_argument("--ab-size", type=int,
                   help="sections for the ingest A/B (default: the smallest size; 0: skip)")
    p.add_argument("--embedded", choices=("whoosh", "none"), default="whoosh",
                   help="the embedded engine measured beside PostgreSQL (none: PostgreSQL "
                        "alone, to re-measure it)")
    p.add_argument("--reingest", type=int, default=0, metavar="N",
                   help="also ingest the A/B archive once and re-ingest it N times with "
                        "every file changed, and give the tables' size after each")
    p.add_argument("--phases", default="ingest,search,web",
                   help="which of ingest, search, web to run (default: all)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-dir", default=str(HERE / "data"))
    p.add_argument("--out", default=str(HERE / "out" / "postgres.json"))
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    sys.path.insert(0, str(HERE.parent / "tests"))
    from pg_server import Cluster, make_root, remove_root

    from search import ingest_paths

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    sizes = sorted(int(s) for s in args.sizes.split(","))
    reps = max(stats.MIN_REPS, args.reps)
    data_dir = Path(args.data_dir)
    work = data_dir / "work-postgres"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    root = make_root()
    cluster = Cluster.create(root).start()
    result: dict = {"machine": stats.machine(), "reps": reps, "sizes": {}}
    try:
        manifests = {n: corpus.ensure_corpus(data_dir, n, args.seed) for n in sizes}
        phases = set(args.phases.split(","))
        ab_size = sizes[0] if args.ab_size is None else args.ab_size
        if ab_size and "ingest" in phases:
            paths = corpus.corpus_paths(corpus.ensure_corpus(data_dir, ab_size, args.seed))
            log(f"ingest ({ab_size:,} sections)")
            result["ingest"] = run_ingest(cluster, paths, work, reps, log,
                                          args.embedded != "none")
            result["ingest"]["sections"] = ab_size
        if ab_size and args.reingest:
            paths = corpus.corpus_paths(corpus.ensure_corpus(data_dir, ab_size, args.seed))
            log(f"re-ingest ({ab_size:,} sections, {args.reingest} rounds)")
            result["reingest"] = run_reingest(cluster, paths, work, args.reingest, log)
            result["reingest"]["sections"] = ab_size
        indexes = {}
        for size in sizes if phases & {"search", "web"} else ():
            log(f"size {size:,} sections")
            files = corpus.corpus_paths(manifests[size])
            name = f"bench_{size}"
            cluster.psql(f"CREATE DATABASE {name}")
            url = cluster.url_for(name)
            started = time.perf_counter()
            half = len(files) // 2
            _ingest_procs([files[:half], files[half:]], url)
            build_s = time.perf_counter() - started
            whoosh = data_dir / f"index-{size}-s{args.seed}"
            if args.embedded != "none" and not whoosh.exists():
                ingest_paths(files, whoosh, jobs=2, engine="whoosh")
            cluster.psql("VACUUM ANALYZE", name)
            per = result["sizes"][str(size)] = {
                "build_s_postgres_2_writers": build_s,
                "database_mb": int(cluster.psql(f"SELECT pg_database_size('{name}')")) / 1e6}
            indexes[size] = {"postgres": url}
            if args.embedded != "none":
                indexes[size]["whoosh"] = str(whoosh)
            if "search" in phases:
                per["search"] = run_search(indexes[size], args.seed, reps, args.loops, log)
        largest = indexes.get(sizes[-1], {}) if "web" in phases else {}
        if largest:
            result["web"] = {"sections": sizes[-1]}
        for engine, location in largest.items():
            log(f"web ({engine}, {sizes[-1]:,} sections)")
            result["web"][engine] = phase_web.run(location, args.seed, reps, args.web_s, work,
                                                  log)
    finally:
        cluster.stop("immediate")
        remove_root(root)
        shutil.rmtree(work, ignore_errors=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=str))
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=1,
                     default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
