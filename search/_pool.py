"""Open searchers kept between queries: one per thread, refreshed when the index changes.

Opening a Whoosh searcher reads every segment's files (about 10 ms at 10k sections, a
third of a query), so `Index` keeps one open per thread and per index generation instead
of opening one per call. Whoosh searchers are not guaranteed thread-safe and the web server
answers on several threads, so each owner gets its own: by default the calling thread, or,
inside `searcher_slot(n)`, the slot n. The web throttle runs at most a few requests at
once, each holding one slot, so the server keeps one searcher per slot (each costs about
280 MB at 100k sections) however many threads it has. Before every use the pool compares
the index's latest generation (a directory listing and one stat) with the one its searcher
reads; after an ingest the next query opens a searcher on the new generation and closes the
thread's old one. Searchers of threads that have ended are closed on the next refresh.

Values derived from one generation (the facet table, the spelling vocabulary) are shared
by all threads through `cached()`: document numbers mean the same in every searcher of a
generation.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from whoosh import index as windex

from search._health import IndexDamagedError, damage, has_index
from search._writer import INDEX_NAME

#: How many generations' derived values to keep: during a refresh threads may briefly
#: read two generations, more is never needed.
_KEEP_GENERATIONS = 2


class GenerationCache:
    """Values derived from an index generation (facet tables, vocabularies), built once per
    generation key and kept for the last `_KEEP_GENERATIONS` generations; every engine's
    searcher pool holds one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[tuple, dict] = {}

    def get(self, key: tuple, name: str, build):
        """The value `name` of generation `key`, built by `build()` the first time."""
        values = self._values.get(key)
        if values is None:
            with self._lock:
                values = self._values.setdefault(key, {})
                while len(self._values) > _KEEP_GENERATIONS:
                    del self._values[next(iter(self._values))]  # the first one cached
        value = values.get(name)
        if value is None:
            value = values[name] = build()  # a race builds it twice, both equal: harmless
        return value

    def clear(self) -> None:
        """Forget every generation's values (the pool closed its searchers)."""
        self._values = {}


#: Who owns the searcher a query uses: a slot number set by `searcher_slot`, else the thread.
_SLOT: ContextVar[int | None] = ContextVar("report_archive_searcher_slot", default=None)


@contextmanager
def searcher_slot(slot: int):
    """Queries inside use the searchers of `slot` instead of the calling thread's.

    The caller guarantees that one slot is used by one thread at a time (the web throttle
    hands each slot to one request); threads may take turns on it.
    """
    token = _SLOT.set(slot)
    try:
        yield
    finally:
        _SLOT.reset(token)


def _owner():
    slot = _SLOT.get()
    return threading.current_thread() if slot is None else slot


class SearcherPool:
    """Searchers and per-generation values for the index in one directory."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ix = None
        self._lock = threading.Lock()
        self._open: dict[object, tuple[tuple, object]] = {}  # owner -> (key, searcher)
        self._derived = GenerationCache()

    def _index(self):
        if self._ix is None and has_index(self.path):
            self._check()
            try:
                self._ix = windex.open_dir(str(self.path), indexname=INDEX_NAME)
            except Exception as error:
                raise self._damaged(error) from None
        return self._ix

    def _check(self) -> None:
        problem = damage(self.path)
        if problem is not None:
            raise IndexDamagedError(self.path, problem)

    def _damaged(self, error: BaseException) -> IndexDamagedError:
        """The error to raise when Whoosh failed to open what the cheap check passed."""
        problem = damage(self.path)
        if problem is None:
            text = str(error).strip().splitlines()[0] if str(error).strip() else ""
            problem = f"opening it failed ({type(error).__name__}{': ' + text if text else ''})"
        return IndexDamagedError(self.path, problem)

    def _key(self, generation: int) -> tuple:
        # The TOC's mtime guards against an index deleted and rebuilt to the same number.
        try:
            stamp = os.stat(self.path / f"_{INDEX_NAME}_{generation}.toc").st_mtime_ns
        except OSError:
            stamp = 0
        return (generation, stamp)

    def current(self) -> tuple[tuple, object] | None:
        """(generation key, searcher) of the latest generation for this owner (thread or
        slot), or None when the directory holds no index. Only that owner may use it."""
        ix = self._index()
        if ix is None:
            return None
        generation = ix.latest_generation()
        if generation < 0:  # the index was removed since we opened it (or its TOC was)
            if has_index(self.path):
                self._check()
            return None
        key = self._key(generation)
        me = _owner()
        entry = self._open.get(me)
        if entry is not None and entry[0] == key:
            return entry
        searcher = self._open_searcher(ix)
        # A commit may land between the listing and the open: name what was opened.
        opened = searcher.reader().generation()
        entry = (key if opened == generation else self._key(opened), searcher)
        with self._lock:
            old = self._open.get(me)
            self._open[me] = entry
            dead = [t for t in self._open if isinstance(t, threading.Thread)
                    and not t.is_alive() and t is not me]
            stale = [self._open.pop(t)[1] for t in dead]
        if old is not None:
            stale.append(old[1])
        for s in stale:
            s.close()
        return entry

    def _open_searcher(self, ix):
        """A searcher on the latest generation, after the cheap health check of it."""
        self._check()
        for attempt in (1, 2):
            try:
                return ix.searcher()
            except FileNotFoundError as error:
                # A commit removed the generation we listed just before we opened it: the
                # next listing finds the new one. Twice in a row is a missing file.
                if attempt == 2:
                    raise self._damaged(error) from None
            except Exception as error:
                raise self._damaged(error) from None

    def cached(self, key: tuple, name: str, build):
        """The value `name` of generation `key`, built by `build()` the first time."""
        return self._derived.get(key, name, build)

    def close(self) -> None:
        """Close every searcher (of all threads): call only when no query is running."""
        with self._lock:
            entries, self._open = list(self._open.values()), {}
            self._derived.clear()
        for _, searcher in entries:
            searcher.close()
