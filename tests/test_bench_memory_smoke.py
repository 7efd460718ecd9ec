"""`python -m bench.phase_memory` runs end to end on tiny generated archives and prints the
growth of the ingest peak from the smallest size to the largest, per engine and jobs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_memory_phase_prints_the_growth_per_engine_and_jobs(tmp_path):
    out = tmp_path / "memory.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.phase_memory", "--sizes", "300,150", "--jobs", "1,2",
         "--data-dir", str(tmp_path / "data"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    result = json.loads(out.read_text())
    rows = {(r["engine"], r["jobs"]): r for r in result["rows"]}
    assert set(rows) == {(e, j) for e in ("whoosh", "tantivy") for j in (1, 2)}
    for row in rows.values():
        small, large = row["per_size"]["150"], row["per_size"]["300"]
        assert small["peak_rss_mb"] > 0 and large["peak_rss_mb"] > 0
        assert row["growth"] == large["peak_rss_mb"] / small["peak_rss_mb"]
    # exit status 1 when any row misses the target; the table says which
    assert done.returncode == (0 if all(r["growth"] <= 1.3 for r in rows.values()) else 1)
    assert "growth 300/150" in done.stdout and "| tantivy | 2 |" in done.stdout
