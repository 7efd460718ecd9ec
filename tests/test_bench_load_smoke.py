"""The load test harness (bench/phase_load.py) runs end to end at a tiny size.

It checks that the harness still produces its figures, and that no ordinary request met
an error (503s are deliberate and allowed); the latency figures themselves belong to the
bench, not to a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_load_smoke_run_writes_its_figures(tmp_path):
    out = tmp_path / "load.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.phase_load", "--size", "300", "--seconds", "0.5",
         "--reps", "3", "--clients", "2", "--data-dir", str(tmp_path / "data"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    row = result["clients_2"]
    for side in ("calm", "abuse"):
        assert row[side]["ok"] > 0 and row[side]["p95_ms"] >= row[side]["p50_ms"] > 0
        assert row[side]["errors"] == 0, row[side]["error_samples"]
    assert row["p95_ratio"] > 0
    alone = result["reproducers_alone"]
    assert alone["fuzzy_rucio~9"]["status"] == 400 and alone["nots_1000"]["status"] == 400
    assert "| 2 | **p95 abuse / calm** |" in done.stdout
