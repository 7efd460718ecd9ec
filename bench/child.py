"""Subprocess entry for memory figures: ingest a file list, print timings and peak RSS.

``python -m bench.child INDEX_DIR JOBS LIST.json`` runs `search.ingest_paths` on the paths
in LIST.json and prints one JSON line: seconds, reports added, and ru_maxrss of this process
(VmHWM) and of its (waited-for) worker processes, in MB. A fresh process per measurement is the
only way to get a peak that belongs to one ingest run.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _status() -> dict:
    out = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                key = line.split(":")[0]
                if key in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                    out[f"end_{key}_mb"] = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return out


def main(argv: list[str]) -> int:
    index_dir, jobs, list_file = Path(argv[0]), int(argv[1]), Path(argv[2])
    paths = json.loads(list_file.read_text())
    from search import ingest_paths

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    summary = ingest_paths(paths, index_dir, jobs=jobs)
    seconds = time.perf_counter() - start
    # ru_maxrss is in KiB on Linux. At the end, split what is resident into anonymous memory
    # and file-backed pages (mmapped index segments, shared libraries), which the kernel can
    # drop under pressure.
    print(json.dumps({
        **_status(),
        "seconds": seconds, "added": summary.added, "failed": len(summary.failed),
        # Not ru_maxrss: Linux carries it over from the forking parent across exec, so a
        # child of a big bench process would report the parent's peak. VmHWM belongs to
        # this process's own address space.
        "peak_rss_mb": _status().get("end_VmHWM_mb", float("nan")),
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "rss_after_imports_mb": base / 1024.0,
        "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
