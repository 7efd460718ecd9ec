"""Hand the heap memory an ingest has freed back to the operating system.

tantivy's writer, its merges and our batches allocate and free tens of megabytes per
commit from several threads. glibc's malloc keeps freed memory in per-thread arenas for
reuse, and with many threads and mixed sizes it reuses little of it: in an ingest of 30k
sections (tantivy, two workers) the parent's anonymous memory grew from 48 to 139 MB over
its commits, and to 56 MB when the free memory was trimmed after each commit
(`bench.child` samples it per phase). `malloc_trim(0)` walks every arena and returns its
free pages; it costs about a millisecond, so it runs after each commit.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache


@lru_cache(maxsize=1)
def _malloc_trim():
    """glibc's malloc_trim, or None on a C library without it (musl, macOS)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        trim = libc.malloc_trim if libc is not None else None
    except (OSError, AttributeError):
        return None
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return the free pages of every malloc arena to the kernel; False where the C
    library cannot (then freed memory stays with the process for reuse, as before)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
