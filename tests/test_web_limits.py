"""Load shedding in the app (slots, bounded queue, heavy lane) and waitress's limits in `serve`.

The app-level tests hold slots the way long-running searches would and check what the next
request gets; the server tests run the real `report-archive serve` on 127.0.0.1 and talk to
it over sockets: idle connections, bodies, headers, a busy port, the access log.
"""

from __future__ import annotations

import http.client
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import CORPUS, session_location
from search._writer import write_reports
from web import create_app
from web.throttle import BUSY_MESSAGE, looks_expensive, slots_of

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")

SERVE = str(Path(sys.executable).with_name("report-archive"))


@pytest.fixture(scope="module")
def index_dir(request, search_engine):
    path = session_location(request, "limits")
    write_reports(path, CORPUS, engine=search_engine)
    return path


def _app(index_dir, **config):
    return create_app({"INDEX_PATH": str(index_dir), **config})


def test_a_full_queue_answers_503_at_once_without_waiting(index_dir):
    # A 30 s wait allowed, but no queue place: the answer must not wait at all.
    app = _app(index_dir, INDEX_CONCURRENCY=1, INDEX_QUEUE=0, INDEX_WAIT_SECONDS=30)
    slots = slots_of(app)
    client = app.test_client()
    held = slots.hold()
    try:
        busy = client.get("/api/search?q=qserv")
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
        assert busy.get_json() == {"ok": False, "status": 503, "error": BUSY_MESSAGE}
        assert slots.rejected == 1
        with client.get("/static/style.css") as asset:
            assert asset.status_code == 200  # assets take no slot
    finally:
        slots.release(held, False)
    assert client.get("/api/search?q=qserv").status_code == 200


def test_a_queued_request_runs_when_a_slot_frees(index_dir):
    app = _app(index_dir, INDEX_CONCURRENCY=1, INDEX_QUEUE=1, INDEX_WAIT_SECONDS=30)
    slots = slots_of(app)
    held = slots.hold()
    answers: queue.Queue = queue.Queue()
    waiter = threading.Thread(
        target=lambda: answers.put(app.test_client().get("/api/search?q=qserv").status_code))
    waiter.start()
    while slots._waiting == 0:  # the request is queued behind the held slot
        time.sleep(0.01)
    # The queue holds one: a second visitor is turned away, the first one still waits.
    assert app.test_client().get("/api/stats").status_code == 503
    assert answers.empty()
    slots.release(held, False)
    waiter.join(timeout=30)
    assert answers.get_nowait() == 200 and slots.rejected == 1


def test_a_waiting_request_gives_up_after_the_wait_limit(index_dir):
    app = _app(index_dir, INDEX_CONCURRENCY=1, INDEX_QUEUE=4, INDEX_WAIT_SECONDS=0.05)
    slots = slots_of(app)
    held = slots.hold()
    try:
        assert app.test_client().get("/api/search?q=qserv").status_code == 503
    finally:
        slots.release(held, False)


def test_expensive_queries_keep_to_their_lane_and_ordinary_ones_still_run(index_dir):
    app = _app(index_dir, INDEX_CONCURRENCY=2, HEAVY_CONCURRENCY=1, HEAVY_QUEUE=0,
               INDEX_QUEUE=4, INDEX_WAIT_SECONDS=30)
    slots = slots_of(app)
    client = app.test_client()
    held = slots.hold(heavy=True)  # an expensive search is running
    try:
        assert client.get("/api/search?q=" + "a" * 300).status_code == 503
        assert client.get("/api/search?q=rucio~2").status_code == 503
        assert client.get("/api/search?q=qserv").status_code == 200
        assert client.get("/api/batch?terms=qserv").status_code == 503  # a batch is heavy
    finally:
        slots.release(held, True)
    assert client.get("/api/search?q=rucio~2").status_code == 200
    assert client.get("/api/batch?terms=qserv").status_code == 200


def test_what_counts_as_expensive():
    assert not looks_expensive("qserv rucio")
    assert not looks_expensive('"image cutout service" period:2021-01..2021-06')
    assert not looks_expensive("(qserv OR rucio) NOT efd")
    assert looks_expensive("rucio~9") and looks_expensive("butl*")
    assert looks_expensive("x" * 100_000)
    assert looks_expensive("(" * 1000 + "a" + ")" * 1000)
    assert looks_expensive(" OR ".join(["a"] * 20))
    assert looks_expensive("NOT " * 1000 + "a")


@pytest.mark.engine_only("whoosh")  # a tantivy searcher is shared by every slot
def test_whoosh_searchers_follow_the_slots_not_the_threads(index_dir):
    app = _app(index_dir, INDEX_CONCURRENCY=2)

    def visit():
        assert app.test_client().get("/api/search?q=qserv").status_code == 200

    for _ in range(6):  # six threads, one after another, as waitress's pool would
        t = threading.Thread(target=visit)
        t.start()
        t.join()
    from web.state import get_index

    with app.app_context():
        owners = list(get_index()._pool._open)
    assert owners and all(isinstance(o, int) for o in owners) and len(owners) <= 2


# -- the real server ------------------------------------------------------------------------
class Served:
    """`report-archive serve` in a subprocess; `lines` gets what it prints."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen([SERVE, "serve", "--host", "127.0.0.1", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(
            target=lambda: [self.lines.put(line) for line in self.process.stdout], daemon=True)
        self._reader.start()

    def port(self) -> int:
        first = self.lines.get(timeout=30)
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        assert match, f"serve printed no URL: {first!r}"
        return int(match.group(1))

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=5)
        self.process.stdout.close()
        return self.process.returncode


@pytest.fixture(scope="module")
def server(index_dir, tmp_path_factory):
    log = tmp_path_factory.mktemp("access") / "access.log"
    served = Served("--index", str(index_dir), "--port", "0", "--access-log", str(log))
    try:
        yield served.port(), log
    finally:
        assert served.stop() == 0


def _get(port: int, path: str, **kwargs) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request(kwargs.pop("method", "GET"), path, **kwargs)
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def _idle_sockets(port: int, n: int) -> list[socket.socket]:
    idle = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /api/stats HTTP/1.1\r\n")  # a request line, then nothing
        idle.append(s)
    return idle


def test_idle_sockets_do_not_lock_other_clients_out(server):
    port, _ = server
    # More than waitress's default limit of 100 connections, held well inside the idle
    # timeout (15 s): with the defaults the next client waits until they are dropped.
    idle = _idle_sockets(port, 150)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/api/search?q=qserv")
        response = conn.getresponse()
        assert response.status == 200 and b'"total"' in response.read()
        conn.close()
    finally:
        for s in idle:
            s.close()


def test_idle_and_stalled_connections_are_closed(index_dir):
    served = Served("--index", str(index_dir), "--port", "0", "--idle-timeout", "1")
    try:
        idle = _idle_sockets(served.port(), 3)
        for s in idle:
            s.settimeout(30)
            assert s.recv(1024) == b""  # closed by the server, nothing answered
            s.close()
    finally:
        assert served.stop() == 0


def test_no_server_header_and_bodies_are_capped(server):
    port, _ = server
    response = _get(port, "/api/stats")
    assert response.status == 200
    assert response.getheader("Server") is None and response.getheader("Via") is None
    big = _get(port, "/api/search?q=qserv", body=b"x" * (65 * 1024),
               headers={"Content-Length": str(65 * 1024)})
    assert big.status == 413 and b"waitress" not in big.body


def test_the_access_log_has_one_line_per_request(server):
    port, log = server
    _get(port, "/api/search?q=access+log+probe")
    deadline = time.monotonic() + 10
    while "access+log+probe" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    line = next(x for x in log.read_text().splitlines() if "access+log+probe" in x)
    assert re.match(r'127\.0\.0\.1 - - \[[^]]+\] "GET /api/search\?q=access\+log\+probe '
                    r'HTTP/1\.1" 200 \d+ \d+ms$', line), line


def test_a_busy_port_is_one_line_not_a_traceback(server, index_dir):
    port, _ = server
    done = subprocess.run([SERVE, "serve", "--index", str(index_dir), "--port", str(port)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: cannot listen on 127.0.0.1:{port}: the port is already in use (another "
        "server?); stop it or pick another port with --port")
    assert "Traceback" not in done.stdout + done.stderr
