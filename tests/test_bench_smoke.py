"""The benchmark harness runs end to end in smoke mode and writes its figures.

CI runs nothing else from bench/: this checks that every phase still produces numbers
(the harness keeps up with the packages it measures), not what the numbers are.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def test_smoke_run_writes_every_section_with_numbers(tmp_path):
    out = tmp_path / "out.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--smoke", "--data-dir", str(tmp_path / "data"),
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())

    assert result["machine"]["cores"] >= 1 and result["machine"]["packages"]["whoosh-reloaded"]
    assert result["reps"] >= 3
    for fmt in ("pdf", "html", "text", "markdown"):
        row = result["extraction"][fmt]
        unit = row["unit"]
        for side in ("ours", "raw", "full"):
            assert _number(row[side][f"{unit}_per_s"]) and row[side][f"{unit}_per_s"] > 0
            assert row[side]["seconds"]["reps"] >= 3
    assert _number(result["ingest"]["speedup_jobs2"])
    assert result["ingest"]["jobs1"]["reports_per_s"] > 0
    assert result["index_write"]["ours"]["seconds"]["median"] > 0
    assert result["index_write"]["raw"]["seconds"]["median"] > 0

    (size, per), = result["sizes"].items()
    assert per["corpus"]["sections"] == int(size)
    assert per["memory"]["peak_rss_mb"] > 0 and per["memory"]["reps"] >= 3
    assert per["index_mb_per_1k_sections"] > 0
    for side in ("ours", "raw", "raw_facets"):
        assert per["search"][side]["p95_ms"] >= per["search"][side]["p50_ms"] > 0
    assert per["search"]["queries"]["word"]["total_ours"] > 0
    rel = per["relevance"]
    for mode in ("all_words", "most_words"):
        assert rel["modes"][mode]["p95_ms"] >= rel["modes"][mode]["p50_ms"] > 0
    assert _number(rel["ratio_p95_most_vs_all"]) and rel["correction"]["p95_ms"] > 0
    assert rel["correction"]["fixes"]["calibratoin"] == {"calibratoin": "calibration"}
    quality = result["relevance_quality"]
    assert quality["queries"] >= 40 and 0 < quality["baseline"]["mrr10"] <= 1
    assert 0 < quality["ours"]["mrr10"] <= 1

    web = result["web"]
    assert web["server"]["rps"] > 0 and web["server"]["requests"] > 0
    assert isinstance(web["server"]["errors"], int)
    assert web["inproc"]["rps"] > 0
    assert {c["check"] for c in result["checks"]} >= {"web errors under load"}
    # The Markdown tables went to stdout.
    assert "### Targets" in done.stdout and "| pdf |" in done.stdout
    assert "### Relevance quality" in done.stdout


def test_engines_phase_puts_both_engines_side_by_side(tmp_path):
    out = tmp_path / "engines.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.phase_engines", "--sizes", "300", "--reps", "3",
         "--loops", "1", "--web-s", "0.5", "--data-dir", str(tmp_path / "data"),
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    per = json.loads(out.read_text())["sizes"]["300"]
    for engine in ("whoosh", "tantivy"):
        ingest = per["ingest"][engine]
        assert ingest["jobs2"]["reports_per_s"] > 0 and ingest["jobs1"]["reports_per_s"] > 0
        assert ingest["jobs2"]["peak_rss_mb"] > 0 and ingest["index_mb"] > 0
        search = per["search"][engine]
        assert search["p95_ms"] >= search["p50_ms"] > 0
        assert set(search["kinds"]) >= {"word", "phrase", "id", "no_hit_suggest"}
        assert per["search"]["totals"][engine]["word"] > 0
        web = per["web"][engine]
        assert web["server"]["rps"] > 0 and web["server"]["errors"] == 0
    # the same archive and queries: both engines find the same number of sections
    assert per["search"]["totals"]["whoosh"]["id"] == per["search"]["totals"]["tantivy"]["id"]
    assert _number(per["search"]["tantivy_vs_raw_p95"])
    assert "| 300 | tantivy |" in done.stdout
