"""`python -m bench.phase_postgres` runs end to end on a tiny archive and writes its figures
(CI runs nothing else of it: this checks the harness still produces numbers, not what they
are). It starts its own throwaway server, as the full run does."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def test_postgres_phase_writes_ingest_search_and_web_figures(tmp_path):
    out = tmp_path / "postgres.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.phase_postgres", "--sizes", "300", "--reps", "3",
         "--loops", "1", "--web-s", "0.5", "--reingest", "1", "--data-dir", str(tmp_path / "data"),
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    ingest = result["ingest"]
    for side in ("pg_1_writer", "pg_2_writers", "whoosh_1_writer"):
        assert ingest[side]["reports_per_s"] > 0, side
    assert _number(ingest["speedup_2_writers"])
    for side in ("pg_1_writer", "pg_2_writers"):  # CPU of the writers and of the server
        per = ingest[side]["cpu_ms_per_report"]
        assert per["writers"] > 0 and per["server"] > 0, (side, per)
    search = result["sizes"]["300"]["search"]
    for engine in ("postgres", "whoosh"):
        assert search[engine]["p95_ms"] >= search[engine]["p50_ms"] > 0
    # the same archive and query mix: both engines find the ID's sections
    assert search["totals"]["postgres"]["id"] == search["totals"]["whoosh"]["id"] > 0
    # the re-ingest: every file changed once, the tables measured before and after
    assert [r["round"] for r in result["reingest"]["rounds"]] == [0, 1]
    assert all(r["sections"]["mb"] > 0 for r in result["reingest"]["rounds"])
    for engine in ("postgres", "whoosh"):
        assert result["web"][engine]["server"]["rps"] > 0
        assert result["web"][engine]["server"]["errors"] == 0
