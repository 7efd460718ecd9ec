"""Where reads go: the replicas in turn, the primary only when none answers.

`Readers(primary, replicas)` keeps a `psycopg_pool.ConnectionPool` per server and runs each
read statement on the first server of its order that answers: the replicas (``--read``,
taken in turn so the load spreads), then the primary. A server whose connection fails is
skipped for `RETRY_SECONDS` and then tried again (that try is its health check); the
statement that found it down runs again on the next server, so the page a user asked for
still comes back. With no replica given the primary serves the reads.
"""

from __future__ import annotations

import itertools
import threading
import time

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from search._pg_conn import CONNECT_TIMEOUT, ConnectionProblem, connect

#: How long a server that failed is skipped before it is tried again.
RETRY_SECONDS = 5.0
#: How read connections name themselves to the server (pg_stat_activity).
APPLICATION = "report-archive-read"
#: Connections per server and process: the web throttle runs a few requests at once.
POOL_MAX = 8


class Readers:
    """Read connections to the replicas, falling back to the primary (see module docs)."""

    def __init__(self, primary: str, replicas=()) -> None:
        self.primary = primary
        self.replicas = tuple(replicas)
        self._down: dict[str, float] = {}
        self._pools: dict[str, ConnectionPool] = {}
        self._lock = threading.Lock()
        self._turn = itertools.count()
        #: The server the last statement of each thread ran on (for tests and stats).
        self.last = threading.local()

    def order(self) -> list[str]:
        """The servers to try, best first: replicas (rotated per call), then the primary;
        servers marked down go last."""
        replicas = list(self.replicas)
        if replicas:
            k = next(self._turn) % len(replicas)
            replicas = replicas[k:] + replicas[:k]
        now = time.monotonic()
        servers = replicas + [self.primary]
        return ([s for s in servers if self._down.get(s, 0.0) <= now]
                + [s for s in servers if self._down.get(s, 0.0) > now])

    def _pool(self, url: str) -> ConnectionPool:
        pool = self._pools.get(url)
        if pool is None:
            with self._lock:
                pool = self._pools.get(url)
                if pool is None:
                    pool = ConnectionPool(url, min_size=0, max_size=POOL_MAX, open=True,
                                          timeout=CONNECT_TIMEOUT, name="report-archive",
                                          kwargs={"autocommit": True,
                                                  "application_name": APPLICATION,
                                                  "connect_timeout": CONNECT_TIMEOUT})
                    self._pools[url] = pool
        return pool

    def run(self, work):
        """`work(conn)` on a pooled connection of the first server that answers; a server
        whose connection fails is marked down and `work` runs on the next one. Raises
        ConnectionProblem when none answers; errors of the statement itself propagate."""
        last = None
        for url in self.order():
            if url in self._down or url not in self._pools:
                # First use, or a server that failed: one plain connection first, so a
                # server that is down costs a refused connection (not the pool's wait) and
                # the error says why.
                try:
                    connect(url, application_name=APPLICATION).close()
                except ConnectionProblem as problem:
                    self._down[url] = time.monotonic() + RETRY_SECONDS
                    last = problem
                    continue
            try:
                with self._pool(url).connection() as conn:
                    try:
                        result = work(conn)
                    except (psycopg.OperationalError, psycopg.InterfaceError):
                        if conn.broken or conn.closed:
                            raise _ServerGone() from None
                        raise
            except (_ServerGone, PoolTimeout, psycopg.OperationalError) as error:
                if isinstance(error, psycopg.OperationalError) and not isinstance(
                        error, (psycopg.errors.ConnectionFailure, PoolTimeout)):
                    raise
                self._down[url] = time.monotonic() + RETRY_SECONDS
                last = ConnectionProblem(url, error)
                continue
            self._down.pop(url, None)
            self.last.url = url
            return result
        raise last or ConnectionProblem(self.primary, RuntimeError("no server answered"))

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()


class _ServerGone(Exception):
    """The connection broke while a statement ran: the server went away."""

    def __str__(self) -> str:
        return "the server closed the connection"
