"""A forked ingest worker does not keep the parent's index lock files locked."""

from __future__ import annotations

import fcntl
import multiprocessing
import os

from search._workers import _close_inherited_index_locks


def _child(ready, done) -> None:
    _close_inherited_index_locks()
    ready.set()
    done.wait(10)


def test_a_lock_held_at_the_fork_is_free_once_the_parent_lets_it_go(tmp_path):
    lock_path = tmp_path / ".tantivy-meta.lock"
    fd = os.open(lock_path, os.O_CREAT | os.O_WRONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # held while the worker is forked, as tantivy may
    ctx = multiprocessing.get_context("fork")
    ready, done = ctx.Event(), ctx.Event()
    worker = ctx.Process(target=_child, args=(ready, done))
    worker.start()
    try:
        assert ready.wait(10)
        os.close(fd)  # the parent releases its lock
        again = os.open(lock_path, os.O_WRONLY)
        try:
            # with the worker still holding its inherited copy this would block forever
            fcntl.flock(again, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(again)
    finally:
        done.set()
        worker.join(10)
    assert worker.exitcode == 0
