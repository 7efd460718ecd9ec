"""The index write lock: Whoosh's own WRITELOCK, held for a whole ingest, plus who holds it.

Whoosh writers release their lock on every commit; an ingest commits every few hundred
reports, so another writer could slip in between. We take Whoosh's lock once for the whole
run and open writers that do not lock again. Next to it, ``WRITELOCK.info`` records the
holder (pid, host, start time) so a second ingest can say who is busy instead of hanging.
The lock is an OS file lock, so a killed ingest releases it; a stale info file is harmless
because it is only read while the lock is actually held.
"""

from __future__ import annotations

import json
import os
import socket
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from search._types import IndexBusyError

LOCK_NAME = "WRITELOCK"
INFO_NAME = "WRITELOCK.info"


def busy_message(index_dir: Path) -> str:
    """The message for a busy index, naming the holder when it left its card."""
    try:
        info = json.loads((Path(index_dir) / INFO_NAME).read_text(encoding="utf-8"))
        who = f"pid {info['pid']} on {info['host']}, since {info['since']}"
    except (OSError, ValueError, KeyError):
        who = "holder unknown"
    return (f"Index {index_dir} is busy: another process is writing it ({who}). "
            f"Wait for it to finish, then run the command again.")


@contextmanager
def write_lock(index_dir: Path):
    """Hold the index's write lock for the duration; raise IndexBusyError when it is taken."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileStorage(str(index_dir)).lock(LOCK_NAME)
    if not lock.acquire(blocking=False):
        raise IndexBusyError(busy_message(index_dir))
    info_path = index_dir / INFO_NAME
    try:
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "since": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        tmp = info_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(info), encoding="utf-8")
        os.replace(tmp, info_path)
        yield
    finally:
        info_path.unlink(missing_ok=True)
        lock.release()
