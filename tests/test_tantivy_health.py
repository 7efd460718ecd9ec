"""A damaged tantivy index (the default engine) says so in one line, and `rebuild` repairs
it by swapping in a fresh index under the old one's table of contents (`meta.json`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from search import Index, SearchRequest
from health_fixtures import build_clean
from web import create_app

pytestmark = [pytest.mark.usefixtures("search_engine"), pytest.mark.engine_only("tantivy")]


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """(archive dir, a healthy index built from it), read-only for the tests."""
    return build_clean(tmp_path_factory.mktemp("tantivy-health"), "tantivy")


def _largest_segment_file(index_dir: Path) -> Path:
    return max((index_dir / "tantivy").glob("*.idx"), key=lambda p: p.stat().st_size)


def test_a_damaged_tantivy_index_is_one_line_and_rebuild_repairs_it(clean, tmp_path):
    archive, clean_dir = clean
    index_dir = tmp_path / "index"
    shutil.copytree(clean_dir, index_dir)
    with open(_largest_segment_file(index_dir), "r+b") as f:
        f.truncate(10)
    tail = f"; rebuild it from its source files with: report-archive rebuild --index {index_dir}"
    for args in (["search", "rucio"], ["stats"]):
        result = run(*args, "--index", str(index_dir))
        assert result.exit_code == 1, (args, result.output)
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"Error: the index at {index_dir} is damaged: its tantivy files "
                               "cannot be read") and line.endswith(tail)
    api = create_app({"INDEX_PATH": str(index_dir)}).test_client().get("/api/search?q=rucio")
    assert api.status_code == 503 and api.get_json()["error"].endswith(tail)

    result = run("rebuild", "--index", str(index_dir), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"rebuilt {index_dir}: 4 added, ")
    assert run("check", "--index", str(index_dir)).exit_code == 0
    ours, reference = Index(index_dir), Index(clean_dir)
    assert sorted(r.id for r in ours.reports()) == sorted(r.id for r in reference.reports())
    assert ours.search(SearchRequest(q="rucio")).total == \
        reference.search(SearchRequest(q="rucio")).total
    # the damaged segment's files are gone; only the fresh index's are left
    assert not any(p.stat().st_size == 10 for p in (index_dir / "tantivy").glob("*.idx"))


def test_a_tantivy_index_of_an_earlier_schema_says_rebuild_and_rebuild_upgrades_it(
        clean, tmp_path):
    import json

    archive, clean_dir = clean
    index_dir = tmp_path / "index"
    shutil.copytree(clean_dir, index_dir)
    # an index of schema 2 indexed its stored payload as raw text (now a stored bytes field)
    meta_path = index_dir / "tantivy" / "meta.json"
    meta = json.loads(meta_path.read_text())
    for field in meta["schema"]:
        if field["name"] == "data":
            field.update(type="text", options={
                "indexing": {"record": "basic", "fieldnorms": True, "tokenizer": "raw"},
                "stored": True, "fast": False})
    meta_path.write_text(json.dumps(meta))
    result = run("search", "rucio", "--index", str(index_dir))
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line == (f"Error: the index at {index_dir} is damaged: it was built by an earlier "
                    "version of the tantivy engine (its schema differs from version 3); "
                    "rebuild it from its source files with: report-archive rebuild --index "
                    f"{index_dir}")
    result = run("rebuild", "--index", str(index_dir), "--jobs", "1")
    assert result.exit_code == 0, result.output
    ours, reference = Index(index_dir), Index(clean_dir)
    assert sorted(r.id for r in ours.reports()) == sorted(r.id for r in reference.reports())
    assert ours.search(SearchRequest(q="status")).total == \
        reference.search(SearchRequest(q="status")).total > 0
