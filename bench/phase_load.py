"""Load test: ordinary searches against `serve` with and without abuse running alongside.

``python -m bench.phase_load [--size 1000] [--seconds 5] [--clients 8,32] [--reps 3]``

`report-archive serve` runs on 127.0.0.1 (a subprocess, terminated in a ``finally``) over
the synthetic archive of bench/corpus.py. For each client count N, two sides alternate
ABAB/BABA (bench/stats.py) for a bounded time each:
- ``calm``: N keep-alive clients loop over the ordinary query mix (bench/phase_search);
- ``abuse``: the same N clients, plus `ABUSERS` clients looping over the issue's expensive
  reproducers and a few queries inside the query limits that still cost a second
  (`costly_but_allowed`), plus 120 idle sockets that sent only a request line.
Ordinary answers must be 200 (JSON) or a deliberate 503 with Retry-After; anything else,
or a broken connection, is an error. The figure is the ratio of the ordinary p95 with
abuse to the p95 without (target: within 3x, 0 errors). Each reproducer is also sent alone
first: its status, time and the first words of its answer. Results go to stdout as
Markdown and to bench/out/load.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from bench import corpus, stats
from bench.phase_web import _free_port, _serve_command, _wait_ready, vm_status, web_params

HERE = Path(__file__).resolve().parent
ABUSERS = 2
IDLE_SOCKETS = 120
TARGET_RATIO = 3.0


def reproducers() -> dict[str, str]:
    """The expensive queries of the hardening issue (#13), as `q` values."""
    return {
        "word_100k_letters": "rucio" + "a" * 100_000,
        "word_8k_letters": "rucio" + "a" * 8_000,
        "word_4k_letters": "rucio" + "a" * 4_000,
        "nested_parens_1000": "(" * 1000 + "rucio" + ")" * 1000,
        "nots_1000": "NOT " * 1000 + "rucio",
        "ors_10000": " OR ".join(["rucio"] * 10_001),
        "fuzzy_rucio~9": "rucio~9",
        "query_100kb": "rucio qserv butler " * 5_300,
    }


def costly_but_allowed() -> dict[str, str]:
    """Queries inside the query limits that still cost far more than an ordinary search."""
    words = ["calibratoin~2", "deploymnt~2", "relese~2", "milestnoe~2"]
    return {
        "four_fuzzy_words": " ".join(words),
        "fuzzy_ors": " OR ".join(w.replace("~2", "~1") + f" x{i}" for i, w in enumerate(words * 3)),
        "sixty_words": " ".join(f"status{i} report" for i in range(30)),
    }


def _path(q: str) -> str:
    return "/api/search?q=" + quote(q, safe="")


def _request(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes, dict]:
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, resp.read(), dict(resp.getheaders())


def _alone(port: int) -> dict:
    """Each reproducer sent alone: status, milliseconds, the answer's first words."""
    out = {}
    for name, q in {**reproducers(), **costly_but_allowed()}.items():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        start = time.perf_counter()
        try:
            status, body, _ = _request(conn, _path(q))
            text = body[:160].decode("utf-8", "replace")
            try:
                text = json.loads(body).get("error") or f"{json.loads(body).get('total')} hits"
            except ValueError:
                pass
        except (OSError, http.client.HTTPException) as error:
            status, text = 0, f"{type(error).__name__}: {error}"
        out[name] = {"status": status, "ms": (time.perf_counter() - start) * 1000.0,
                     "answer": text[:160]}
        conn.close()
    return out


def _idle(port: int, n: int) -> list[socket.socket]:
    socks = []
    for _ in range(n):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /api/stats HTTP/1.1\r\n")
            socks.append(s)
        except OSError:
            break
    return socks


def _run(port: int, clients: int, ordinary: list[str], abuse: bool, seconds: float) -> dict:
    lat: list[float] = []
    busy = [0]
    errors: list[str] = []
    abusive: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(n: int, paths: list[str], record: bool) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = n
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            try:
                status, body, headers = _request(conn, path)
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    (errors if record else []).append(f"{type(error).__name__} {path[:60]}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            ms = (time.perf_counter() - start) * 1000.0
            with lock:
                if not record:
                    abusive[status] = abusive.get(status, 0) + 1
                elif status == 200 and body.startswith(b"{"):
                    lat.append(ms)
                elif status == 503 and "Retry-After" in headers:
                    busy[0] += 1
                else:
                    errors.append(f"{status} {path[:60]}")
            if status == 503:
                time.sleep(0.05)  # a polite client backs off a little (not the full 5 s)
        conn.close()

    idle = _idle(port, IDLE_SOCKETS) if abuse else []
    threads = [threading.Thread(target=client, args=(n, ordinary, True)) for n in range(clients)]
    if abuse:
        bad = [_path(q) for q in {**reproducers(), **costly_but_allowed()}.values()]
        threads += [threading.Thread(target=client, args=(n, bad, False)) for n in range(ABUSERS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    for s in idle:
        s.close()
    return {"ok": len(lat), "rps": len(lat) / elapsed, "p50_ms": stats.percentile(lat, 50),
            "p95_ms": stats.percentile(lat, 95), "busy_503": busy[0], "errors": len(errors),
            "error_samples": errors[:5], "abusive_statuses": abusive,
            "idle_sockets": len(idle)}


def run(index_dir: Path, seed: int, reps: int, seconds: float, client_counts: list[int],
        log=print) -> dict:
    """The load figures for `index_dir` (see the module docs)."""
    ordinary = ["/api/search?" + urlencode(p) for p in web_params(seed)]
    port = _free_port()
    proc = subprocess.Popen(_serve_command(index_dir, port), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    out: dict = {"seconds": seconds, "abusers": ABUSERS, "idle_sockets": IDLE_SOCKETS}
    try:
        _wait_ready(proc, port)
        out["reproducers_alone"] = _alone(port)
        _run(port, 2, ordinary, False, min(1.0, seconds))  # warm-up
        for n in client_counts:
            runs = stats.alternate(reps, {
                "calm": lambda rep, n=n: _run(port, n, ordinary, False, seconds),
                "abuse": lambda rep, n=n: _run(port, n, ordinary, True, seconds),
            })
            row = {}
            for side, results in runs.items():
                row[side] = {k: stats.median([r[k] for r in results])
                             for k in ("rps", "p50_ms", "p95_ms")}
                for k in ("ok", "busy_503", "errors"):
                    row[side][k] = sum(r[k] for r in results)
                row[side]["error_samples"] = [e for r in results for e in r["error_samples"]][:5]
            statuses: dict[str, int] = {}
            for r in runs["abuse"]:
                for status, count in r["abusive_statuses"].items():
                    statuses[str(status)] = statuses.get(str(status), 0) + count
            row["abusive_statuses"] = statuses
            row["p95_ratio"] = row["abuse"]["p95_ms"] / row["calm"]["p95_ms"]
            out[f"clients_{n}"] = row
            log(f"  {n} clients: p95 calm {row['calm']['p95_ms']:.0f} ms, abuse "
                f"{row['abuse']['p95_ms']:.0f} ms ({row['p95_ratio']:.2f}x); 503s "
                f"{row['calm']['busy_503']}/{row['abuse']['busy_503']}; errors "
                f"{row['calm']['errors']}/{row['abuse']['errors']}")
        out["server_peak_rss_mb"] = vm_status(proc.pid).get("VmHWM")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return out


def markdown(result: dict, client_counts: list[int]) -> str:
    """The figures as Markdown tables."""
    lines = ["### Reproducers, each alone", "", "| query | status | ms | answer |",
             "|---|---|---|---|"]
    for name, r in result["reproducers_alone"].items():
        lines.append(f"| {name} | {r['status']} | {r['ms']:.0f} | {r['answer'][:90]} |")
    lines += ["", f"### Ordinary searches, {result['seconds']:.0f} s per run, median of reps "
              f"({result['abusers']} abusive clients + {result['idle_sockets']} idle sockets "
              "on the abuse side)", "",
              "| clients | side | ok | req/s | p50 ms | p95 ms | 503s | errors |",
              "|---|---|---|---|---|---|---|---|"]
    for n in client_counts:
        row = result[f"clients_{n}"]
        for side in ("calm", "abuse"):
            s = row[side]
            lines.append(f"| {n} | {side} | {s['ok']} | {s['rps']:.1f} | {s['p50_ms']:.0f} | "
                         f"{s['p95_ms']:.0f} | {s['busy_503']} | {s['errors']} |")
        verdict = "holds" if row["p95_ratio"] <= TARGET_RATIO and not row["abuse"]["errors"] \
            and not row["calm"]["errors"] else "MISSED"
        lines.append(f"| {n} | **p95 abuse / calm** | | | | **{row['p95_ratio']:.2f}x** "
                     f"(target <= {TARGET_RATIO:.0f}x: {verdict}) | | |")
        lines.append(f"| {n} | abusive answers | {row['abusive_statuses']} | | | | | |")
    lines.append(f"\nServer peak RSS: {result.get('server_peak_rss_mb') or 0:.0f} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.phase_load",
                                description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=1000, help="sections in the synthetic archive")
    p.add_argument("--seconds", type=float, default=5.0, help="seconds per run")
    p.add_argument("--clients", default="8,32", help="comma-separated client counts")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data-dir", default=str(HERE / "data"))
    p.add_argument("--out", default=str(HERE / "out" / "load.json"))
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    from search import has_index, ingest_paths

    data_dir = Path(args.data_dir)
    manifest = corpus.ensure_corpus(data_dir, args.size, args.seed)
    index_dir = data_dir / f"index-{args.size}-s{args.seed}"
    if not has_index(index_dir):
        print(f"building {index_dir} ...", file=sys.stderr)
        ingest_paths(corpus.corpus_paths(manifest), index_dir)
    counts = [int(c) for c in args.clients.split(",") if c.strip()]
    result = {"machine": stats.machine(), "size": args.size,
              **run(index_dir, args.seed, args.reps, args.seconds, counts,
                    log=lambda m: print(m, file=sys.stderr))}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(markdown(result, counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
