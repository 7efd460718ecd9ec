"""Load shedding: a few index requests at once, a short bounded queue, quick 503s beyond it.

Searches are CPU-bound Python under the GIL, so more than two at a time on a small machine
only add latency and memory (the benchmark saw 1 GB peak and 2.3 s p95 with 8 clients and
no gain in throughput). Every non-static request therefore needs one of
``INDEX_CONCURRENCY`` slots. A request that finds them all taken waits, but only while
fewer than ``INDEX_QUEUE`` others wait too and for at most ``INDEX_WAIT_SECONDS``;
otherwise it gets a 503 with ``Retry-After`` at once. The server runs more threads than
slots plus queue (see cli.web_cmds), so a thread is always free to answer that 503 or a
static file, instead of the request sitting unseen in the server's own backlog.

Requests that look expensive (a long query, many operators, fuzzy or wildcard terms, see
`looks_expensive`, and every batch search) may hold at most ``HEAVY_CONCURRENCY`` of the slots and queue at most
``HEAVY_QUEUE`` deep, so a few abusive queries can never take every slot from ordinary
visitors. Each slot has its own open index searcher (`search.searcher_slot`), so memory
follows the slots, not the threads.
"""

from __future__ import annotations

import re
import threading
import time

from flask import Flask, current_app, g, request
from werkzeug.exceptions import ServiceUnavailable

from search import searcher_slot

#: Index requests that may run at once (config ``INDEX_CONCURRENCY``).
DEFAULT_CONCURRENCY = 2
#: Requests that may wait for a slot; more get a 503 at once (``INDEX_QUEUE``).
DEFAULT_QUEUE = 8
#: How long a request waits for a slot before it is told to retry (``INDEX_WAIT_SECONDS``).
DEFAULT_WAIT_SECONDS = 10.0
#: Slots (``HEAVY_CONCURRENCY``) and queue places (``HEAVY_QUEUE``) for expensive-looking
#: requests: ordinary visitors always keep the other slots.
DEFAULT_HEAVY_CONCURRENCY = 1
DEFAULT_HEAVY_QUEUE = 1
#: Seconds a client is asked to wait before retrying after a 503.
RETRY_AFTER = 5
BUSY_MESSAGE = "The archive is busy answering other requests; try again in a few seconds."
_KEY = "report_archive_throttle"
#: Requests that run a search over every match (exports) or many searches (batch): they
#: hold a slot for long, so they count as heavy and never take every slot.
WHOLE_RESULT_ENDPOINTS = frozenset({"downloads.search_csv", "downloads.search_jsonl",
                                    "batch.page", "batch.page_api", "batch.csv"})

# What makes a query expensive before any limit of the query parser applies: length,
# boolean structure, fuzzy/wildcard expansion and very long words (spelling correction).
_HEAVY_CHARS = 200
_HEAVY_OPERATORS = 12
_HEAVY_WORD = 40
_OPERATOR = re.compile(r"\b(?:AND|OR|NOT)\b|[()]")
_EXPANDING = re.compile(r"[~*?]")
_LONG_WORD = re.compile(r"\w{%d,}" % _HEAVY_WORD)


def looks_expensive(q: str) -> bool:
    """True when the query text could cost far more than an ordinary search."""
    if len(q) > _HEAVY_CHARS or _EXPANDING.search(q) or _LONG_WORD.search(q):
        return True
    return len(_OPERATOR.findall(q)) > _HEAVY_OPERATORS


class Slots:
    """`size` numbered slots, a bounded wait queue, and a sub-limit for heavy requests."""

    def __init__(self, size: int, queue: int, heavy: int, heavy_queue: int) -> None:
        if size < 1:
            raise ValueError("INDEX_CONCURRENCY must be at least 1")
        self._free = list(range(size))
        self._queue, self._heavy, self._heavy_queue = queue, max(1, min(heavy, size)), heavy_queue
        self._cond = threading.Condition()
        self._waiting = self._waiting_heavy = self._running_heavy = 0
        self.rejected = 0  # 503s given, for tests and the access log reader

    def _can_run(self, heavy: bool) -> bool:
        return bool(self._free) and (not heavy or self._running_heavy < self._heavy)

    def acquire(self, heavy: bool, timeout: float) -> int | None:
        """A slot number, or None when the queue is full or the wait timed out."""
        with self._cond:
            if not self._can_run(heavy):
                full = self._waiting >= self._queue or (
                    heavy and self._waiting_heavy >= self._heavy_queue)
                if full:
                    self.rejected += 1
                    return None
                self._waiting += 1
                self._waiting_heavy += heavy
                try:
                    ok = self._cond.wait_for(lambda: self._can_run(heavy), timeout)
                finally:
                    self._waiting -= 1
                    self._waiting_heavy -= heavy
                if not ok:
                    self.rejected += 1
                    return None
            self._running_heavy += heavy
            return self._free.pop()

    def release(self, slot: int, heavy: bool) -> None:
        """Give `slot` back and wake the waiters."""
        with self._cond:
            self._free.append(slot)
            self._running_heavy -= heavy
            self._cond.notify_all()  # a heavy waiter may not be able to take it: wake all

    def hold(self, heavy: bool = False) -> int | None:
        """Take a slot without waiting (tests use it to play a long-running request)."""
        return self.acquire(heavy, 0)


def register_throttle(app: Flask) -> None:
    """Install the slot around every request except static files."""
    app.config.setdefault("INDEX_CONCURRENCY", DEFAULT_CONCURRENCY)
    app.config.setdefault("INDEX_QUEUE", DEFAULT_QUEUE)
    app.config.setdefault("INDEX_WAIT_SECONDS", DEFAULT_WAIT_SECONDS)
    app.config.setdefault("HEAVY_CONCURRENCY", DEFAULT_HEAVY_CONCURRENCY)
    app.config.setdefault("HEAVY_QUEUE", DEFAULT_HEAVY_QUEUE)
    app.extensions[_KEY] = Slots(int(app.config["INDEX_CONCURRENCY"]),
                                 int(app.config["INDEX_QUEUE"]),
                                 int(app.config["HEAVY_CONCURRENCY"]),
                                 int(app.config["HEAVY_QUEUE"]))
    app.before_request(_acquire)
    app.teardown_request(_release)


def slots_of(app: Flask) -> Slots:
    """The app's slots (tests hold them to play long-running requests)."""
    return app.extensions[_KEY]


def _has_terms() -> bool:
    """An export always runs; a batch page runs searches only when it was given terms."""
    return not request.endpoint.startswith("batch.") or bool(
        request.values.get("terms", "").strip())


def _acquire() -> None:
    if request.endpoint in (None, "static"):
        return
    # A batch runs up to a hundred searches in one request: always the heavy lane.
    heavy = request.endpoint.startswith("batch.") or looks_expensive(request.args.get("q", "")) or (
        request.endpoint in WHOLE_RESULT_ENDPOINTS and _has_terms())
    slots = slots_of(current_app)
    started = time.monotonic()
    slot = slots.acquire(heavy, float(current_app.config["INDEX_WAIT_SECONDS"]))
    if slot is None:
        error = ServiceUnavailable(BUSY_MESSAGE)
        error.retry_after = RETRY_AFTER
        raise error
    g.index_slot = (slots, slot, heavy)
    g.index_wait_ms = (time.monotonic() - started) * 1000.0
    g.index_slot_ctx = searcher_slot(slot)
    g.index_slot_ctx.__enter__()


def _release(_exc: BaseException | None) -> None:
    held = g.pop("index_slot", None)
    if held is None:
        return
    ctx = g.pop("index_slot_ctx", None)
    if ctx is not None:
        ctx.__exit__(None, None, None)
    slots, slot, heavy = held
    slots.release(slot, heavy)
