"""Choosing the search engine: --engine, $REPORT_ARCHIVE_ENGINE, the configuration file;
the index directory records its engine and opening it with another one says how to rebuild.

(The conformance suite runs everything else on both engines; see conftest.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS
from search import DEFAULT_ENGINE, EngineMismatchError, Index, SearchRequest, ingest_paths
from search._engine import ENGINE_FILE

REPORT_ARCHIVE = str(Path(sys.executable).parent / "report-archive")
SAMPLES = Path(__file__).resolve().parent.parent / "sample_reports"
FEW = [SAMPLES / "dm-status-202001.txt", SAMPLES / "2020-03-dm-notes.md"]


def run(*args, cwd=None, env_engine=None, check=True):
    import os
    env = {k: v for k, v in os.environ.items() if k != "REPORT_ARCHIVE_ENGINE"}
    if env_engine:
        env["REPORT_ARCHIVE_ENGINE"] = env_engine
    return subprocess.run([REPORT_ARCHIVE, *args], capture_output=True, text=True, cwd=cwd,
                          env=env, check=check)


def recorded(index: Path) -> str:
    return json.loads((index / ENGINE_FILE).read_text())["engine"]


@pytest.mark.parametrize("built_by", ["whoosh", "tantivy"])
def test_engine_option_builds_records_and_guards_the_index(tmp_path, built_by):
    engine = built_by
    index = tmp_path / "index"
    other = "tantivy" if engine == "whoosh" else "whoosh"
    run("ingest", *map(str, FEW), "--index", str(index), "--engine", engine)
    assert recorded(index) == engine
    # no --engine: the recorded one is used
    assert "hits" in run("search", "rucio", "--index", str(index)).stdout
    assert Index(index).engine == engine
    for args in (("search", "rucio"), ("stats",), ("ingest", *map(str, FEW))):
        result = run(*args, "--index", str(index), "--engine", other, check=False)
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"Error: Index {index} was built by the {engine} engine, not {other}. Open it "
            f"with --engine {engine}, or build a {other} index in a new directory: "
            f"report-archive ingest SOURCES --engine {other} --index NEW_DIR (the index is "
            "derived data; the source files are all it needs).")
    with pytest.raises(EngineMismatchError):
        Index(index, engine=other)


def test_environment_and_configuration_file_choose_a_new_index_engine(tmp_path):
    run("ingest", *map(str, FEW), "--index", str(tmp_path / "env"), env_engine="tantivy")
    assert recorded(tmp_path / "env") == "tantivy"
    (tmp_path / "report-archive.toml").write_text('[search]\nengine = "tantivy"\n')
    run("ingest", *map(str, FEW), "--index", "conf", cwd=tmp_path)
    assert recorded(tmp_path / "conf") == "tantivy"
    # --engine beats the file
    run("ingest", *map(str, FEW), "--index", "cli", "--engine", "whoosh", cwd=tmp_path)
    assert recorded(tmp_path / "cli") == "whoosh"
    (tmp_path / "report-archive.toml").write_text('[search]\nengine = "lucene"\n')
    bad = run("ingest", *map(str, FEW), "--index", "bad", cwd=tmp_path, check=False)
    assert bad.returncode != 0 and "Unknown search engine 'lucene'" in bad.stderr
    assert "report-archive.toml: [search] engine" in bad.stderr
    default = tmp_path / "default"
    ingest_paths(FEW, default, jobs=1)
    assert recorded(default) == DEFAULT_ENGINE


def test_a_whoosh_index_from_before_engines_were_recorded_keeps_working(tmp_path):
    from search._writer import write_reports

    index = tmp_path / "index"
    write_reports(index, CORPUS, engine="whoosh")
    (index / ENGINE_FILE).unlink()  # as an index built before this file existed
    idx = Index(index)
    assert idx.engine == "whoosh"
    assert idx.search(SearchRequest(q="dmtn-208")).total == 1
    assert Index(index, engine="whoosh").stats().reports == len(CORPUS)
    with pytest.raises(EngineMismatchError, match="built by the whoosh engine"):
        Index(index, engine="tantivy")
