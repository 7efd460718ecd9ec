"""Timing discipline shared by every phase, and the machine description.

- every figure is the median of at least `MIN_REPS` repetitions;
- an A/B comparison runs its repetitions in alternating order, ABAB in even rounds and
  BABA in odd ones (`alternate`), so drift (a colleague's job, thermal state, page cache)
  hits both sides alike;
- percentiles use the nearest-rank method on the raw samples.
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata

MIN_REPS = 3
PACKAGES = ("pdfminer.six", "whoosh-reloaded", "flask", "waitress", "beautifulsoup4",
            "markdown-it-py", "reportlab")


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of `samples`."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    """The median, NaN for no values."""
    return statistics.median(values) if values else float("nan")


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of `fn` takes (perf_counter)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def alternate(reps: int, sides: dict[str, Callable[[int], float]]) -> dict[str, list[float]]:
    """Run each side `reps` times, order ABAB.. in even rounds and BA.. in odd ones.

    Each side is called with the repetition number and returns its measurement (a number
    or any record the caller aggregates).
    """
    names = list(sides)
    out: dict[str, list[float]] = {n: [] for n in names}
    for rep in range(max(reps, MIN_REPS)):
        order = names if rep % 2 == 0 else list(reversed(names))
        for name in order:
            out[name].append(sides[name](rep))
    return out


def summary(samples: list[float]) -> dict:
    """Median plus spread of repeated measurements (spread shows how much to trust it)."""
    return {"median": median(samples), "min": min(samples), "max": max(samples),
            "reps": len(samples), "samples": samples}


def machine() -> dict:
    """Cores, CPU model, RAM, OS, Python and the versions of the libraries we measure."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    ram = None
    try:
        with open("/proc/meminfo") as f:
            kb = next(int(ln.split()[1]) for ln in f if ln.startswith("MemTotal"))
        ram = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cores": os.cpu_count(), "cpu": cpu, "ram_gb": ram,
        "os": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0], "packages": versions,
        "load_avg_at_start": os.getloadavg(), "git": _git_head(),
    }


def _git_head() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=5, cwd=os.path.dirname(__file__))
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None
