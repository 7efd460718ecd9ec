"""The web API under load: ``/api/search`` through the real server vs the in-process call.

``report-archive serve --index DIR --host 127.0.0.1 --port P`` runs as a subprocess (never
left behind: terminated in a ``finally``). Sides, alternated per repetition:
- ``server``: 8 client threads (http.client, one keep-alive connection each) send the
  query mix for `seconds`; every non-200 answer, non-JSON body or exception is an error;
- ``inproc``: one thread calls ``Index.search(SearchRequest.from_params(...)).to_dict()``
  and ``json.dumps`` for the same time: the work the server wraps, without HTTP.
The server's peak RSS (VmHWM from /proc) is read after the load.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import stats
from bench.phase_search import query_mix

CLIENTS = 8


def web_params(seed: int) -> list[dict]:
    """The search mix as `/api/search` query parameters."""
    names = {"period_from": "from", "period_to": "to"}
    return [{names.get(k, k): v for k, v in spec["req"].items()} for spec in query_mix(seed).values()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_command(index_dir: Path, port: int) -> list[str]:
    script = Path(sys.executable).with_name("report-archive")
    exe = str(script) if script.exists() else shutil.which("report-archive")
    if not exe:
        raise RuntimeError("report-archive is not installed; run `pip install -e .` first")
    return [exe, "serve", "--index", str(index_dir), "--host", "127.0.0.1", "--port", str(port)]


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, resp.read()


def _wait_ready(proc: subprocess.Popen, port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode} before answering")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            status, _ = _get(conn, "/api/search?q=calibration")
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer on port {port} within {timeout:.0f}s")


def _load(port: int, paths: list[str], seconds: float) -> dict:
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    errors: list[list[str]] = [[] for _ in range(CLIENTS)]
    deadline = time.perf_counter() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = n
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            try:
                status, body = _get(conn, path)
                if status != 200 or not body.startswith(b"{"):
                    errors[n].append(f"{status} {path}")
            except (OSError, http.client.HTTPException) as error:
                errors[n].append(f"{type(error).__name__} {path}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            latencies[n].append((time.perf_counter() - start) * 1000.0)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    flat = [v for vs in latencies for v in vs]
    errs = [e for es in errors for e in es]
    return {"requests": len(flat), "rps": len(flat) / elapsed, "p50_ms": stats.percentile(flat, 50),
            "p95_ms": stats.percentile(flat, 95), "errors": len(errs), "error_samples": errs[:5]}


def _inproc(index_dir: Path, params: list[dict], seconds: float) -> dict:
    from search import Index, SearchRequest

    idx = Index(index_dir)
    samples, i = [], 0
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        json.dumps(idx.search(SearchRequest.from_params(params[i % len(params)])).to_dict())
        samples.append((time.perf_counter() - start) * 1000.0)
        i += 1
    elapsed = time.perf_counter() - started
    return {"requests": len(samples), "rps": len(samples) / elapsed,
            "p50_ms": stats.percentile(samples, 50), "p95_ms": stats.percentile(samples, 95)}


def vm_status(pid: int) -> dict:
    """VmHWM (peak RSS) and VmRSS of a live process, in MB (Linux /proc)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmHWM", "VmRSS")):
                    out[line.split(":")[0]] = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return out


def run(index_dir: Path, seed: int, reps: int, seconds: float, work: Path, log=print) -> dict:
    """requests/s, p95 and errors through the server and in process; server peak RSS."""
    params = web_params(seed)
    paths = ["/api/search?" + urlencode(p) for p in params]
    port = _free_port()
    log_path = work / "server.log"
    with open(log_path, "wb") as server_log:
        proc = subprocess.Popen(_serve_command(index_dir, port), stdout=server_log,
                                stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        started = time.perf_counter()
        _wait_ready(proc, port)
        startup = time.perf_counter() - started
        rss_idle = vm_status(proc.pid)
        _load(port, paths, min(1.0, seconds))  # warm-up: imports, caches, first searcher
        runs = stats.alternate(reps, {
            "server": lambda rep: _load(port, paths, seconds),
            "inproc": lambda rep: _inproc(index_dir, params, seconds),
        })
        rss = vm_status(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    out = {"clients": CLIENTS, "seconds": seconds, "startup_s": startup,
           "server_peak_rss_mb": rss.get("VmHWM"), "server_idle_rss_mb": rss_idle.get("VmRSS")}
    for side, results in runs.items():
        out[side] = {k: stats.median([r[k] for r in results]) for k in ("rps", "p50_ms", "p95_ms")}
        out[side]["requests"] = sum(r["requests"] for r in results)
        out[side]["rps_reps"] = [r["rps"] for r in results]
    out["server"]["errors"] = sum(r["errors"] for r in runs["server"])
    out["server"]["error_samples"] = [e for r in runs["server"] for e in r["error_samples"]][:5]
    out["ratio_rps_server_vs_inproc"] = out["server"]["rps"] / out["inproc"]["rps"]
    log(f"    web: server {out['server']['rps']:.1f} req/s p95 {out['server']['p95_ms']:.1f} ms, "
        f"{out['server']['errors']} errors; in-process {out['inproc']['rps']:.1f} req/s; "
        f"server peak RSS {out['server_peak_rss_mb'] or 0:.0f} MB")
    return out
