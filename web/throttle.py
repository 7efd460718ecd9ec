"""At most a few index queries at once per app; the rest wait their turn, briefly.

Searches are CPU-bound Python under the GIL, so more than two at a time on a small machine
only add latency and memory (the benchmark saw 1 GB peak and 2.3 s p95 with 8 clients and
no gain in throughput). A semaphore around every non-static request keeps memory bounded
and latency fair; a request that cannot get a slot in time gets a 503 with Retry-After.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app, g, request
from werkzeug.exceptions import ServiceUnavailable

#: Index queries that may run at once (config ``INDEX_CONCURRENCY``).
DEFAULT_CONCURRENCY = 2
#: How long a request waits for a slot before it is told to retry (``INDEX_WAIT_SECONDS``).
DEFAULT_WAIT_SECONDS = 30.0
_KEY = "report_archive_throttle"


def register_throttle(app: Flask) -> None:
    """Install the slot around every request except static files."""
    app.config.setdefault("INDEX_CONCURRENCY", DEFAULT_CONCURRENCY)
    app.config.setdefault("INDEX_WAIT_SECONDS", DEFAULT_WAIT_SECONDS)
    app.extensions[_KEY] = threading.BoundedSemaphore(int(app.config["INDEX_CONCURRENCY"]))
    app.before_request(_acquire)
    app.teardown_request(_release)


def _acquire() -> None:
    if request.endpoint in (None, "static"):
        return
    slots = current_app.extensions[_KEY]
    if not slots.acquire(timeout=float(current_app.config["INDEX_WAIT_SECONDS"])):
        error = ServiceUnavailable("The archive is busy answering other requests; "
                                   "try again in a few seconds.")
        error.retry_after = 5
        raise error
    g.index_slot = slots


def _release(_exc: BaseException | None) -> None:
    slots = g.pop("index_slot", None)
    if slots is not None:
        slots.release()
