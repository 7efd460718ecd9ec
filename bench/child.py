"""Subprocess entry for memory figures: ingest a file list, print timings and peak RSS.

``python -m bench.child INDEX_DIR JOBS LIST.json [COMMIT_EVERY]`` runs `search.ingest_paths`
on the paths in LIST.json (committing every COMMIT_EVERY files per worker, default
`search._ingest.COMMIT_EVERY`) and prints one JSON line: seconds, reports added, the peak
RSS of this process (VmHWM) and of its (waited-for) worker processes, in MB, and the
anonymous memory after each commit. A fresh process per
measurement is the only way to get a peak that belongs to one ingest run.

While it runs, a thread samples /proc/self/status every `SAMPLE_SECONDS` and keeps, per
phase of the ingest (``write``: extraction, writing and the batch commits; ``pass``: the
archive entity pass; ``summary``: summary.json), the largest resident set split into
anonymous memory (heaps: Python's, tantivy's writer) and file-backed pages (mmapped index
segments and shared libraries, which the kernel can drop and read again).
"""

from __future__ import annotations

import json
import resource
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

SAMPLE_SECONDS = 0.05
_KEYS = ("VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem")


def _status() -> dict:
    """This process's memory figures from /proc/self/status, in MB."""
    out = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                key = line.split(":")[0]
                if key in _KEYS:
                    out[key] = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return out


class PhaseSampler:
    """Per phase, the largest VmRSS seen and RssAnon / RssFile at that moment, plus each
    one's own maximum (sampled; the phases are set by `phase`), and the process's peak
    (VmHWM) if it rose during the phase (else None)."""

    def __init__(self) -> None:
        self.current = "start"
        self.phases: dict[str, dict] = {}
        self._hwm = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_SECONDS)

    def sample(self) -> None:
        s = _status()
        if "VmRSS" not in s:
            return
        p = self.phases.setdefault(self.current, {"rss_mb": 0.0, "max_anon_mb": 0.0,
                                                  "max_file_mb": 0.0, "start_rss_mb": s["VmRSS"],
                                                  "hwm_mb": None})
        if s["VmRSS"] > p["rss_mb"]:
            p.update(rss_mb=s["VmRSS"], anon_mb=s.get("RssAnon"), file_mb=s.get("RssFile"))
        p["max_anon_mb"] = max(p["max_anon_mb"], s.get("RssAnon", 0.0))
        p["max_file_mb"] = max(p["max_file_mb"], s.get("RssFile", 0.0))
        p["end_rss_mb"] = s["VmRSS"]
        # A peak between two samples is missed by VmRSS (a commit holds the GIL while its
        # memory peaks) but not by VmHWM: when it rose since the last sample, the process
        # peaked in this phase.
        if s.get("VmHWM", 0.0) > self._hwm:
            self._hwm = p["hwm_mb"] = s["VmHWM"]

    @contextmanager
    def phase(self, name: str):
        before, self.current = self.current, name
        self.sample()
        try:
            yield
        finally:
            self.sample()
            self.current = before

    def wrap(self, owner, attr: str, name: str) -> None:
        """Count the time inside `owner.attr` (a function) as phase `name`."""
        inner = getattr(owner, attr)

        def wrapped(*args, **kwargs):
            with self.phase(name):
                return inner(*args, **kwargs)

        setattr(owner, attr, wrapped)

    def peak(self, key: str) -> float:
        """The largest sampled `key` ("max_anon_mb", "max_file_mb") over every phase."""
        return max((p[key] for p in self.phases.values()), default=float("nan"))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def main(argv: list[str]) -> int:
    index_dir, jobs, list_file = Path(argv[0]), int(argv[1]), Path(argv[2])
    paths = json.loads(list_file.read_text())
    from search import _archive_pass, _ingest, ingest_paths

    if len(argv) > 3:  # more commits in a small archive (tests/test_ingest_memory.py)
        _ingest.COMMIT_EVERY = int(argv[3])
    after_commits = []
    commit = _ingest._Run._commit

    def counted_commit(run, batch):
        commit(run, batch)
        after_commits.append(_status().get("RssAnon", float("nan")))

    _ingest._Run._commit = counted_commit

    sampler = PhaseSampler()
    sampler.wrap(_ingest._Run, "feed_all", "write")
    sampler.wrap(_archive_pass.ArchivePass, "finish", "pass")
    sampler.wrap(_ingest, "refresh_summary", "summary")
    sampler.wrap(_ingest._aggregate, "write", "summary")
    sampler.wrap(_ingest._aggregate.StreamingAccumulator, "write", "summary")
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sampler.start()
    start = time.perf_counter()
    summary = ingest_paths(paths, index_dir, jobs=jobs)
    seconds = time.perf_counter() - start
    sampler.stop()
    end = _status()
    print(json.dumps({
        **{f"end_{k}_mb": v for k, v in end.items()},
        "seconds": seconds, "added": summary.added, "failed": len(summary.failed),
        # Not ru_maxrss: Linux carries it over from the forking parent across exec, so a
        # child of a big bench process would report the parent's peak. VmHWM belongs to
        # this process's own address space.
        "peak_rss_mb": end.get("VmHWM", float("nan")),
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "rss_after_imports_mb": base / 1024.0,
        "children_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0,
        # anonymous memory (heaps) and file-backed pages at their own sampled peaks
        "peak_anon_mb": sampler.peak("max_anon_mb"), "peak_file_mb": sampler.peak("max_file_mb"),
        "phases": sampler.phases,
        "anon_after_commits_mb": after_commits,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
