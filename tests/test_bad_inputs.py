"""The bad-input corpus (tests/bad_corpus.py) through `extract`, file by file, and through one
`ingest` batch with good reports mixed in.

Nothing may print a traceback or hang; every failure is one line that names its file and
says what to do; every good file is indexed; links out of the archive are not followed.
Costs are checked by counts, never by the clock: the PDF limits stop at a byte and page
count (their messages say which), an oversized text file is refused from its size alone
(the sparse 17 MB file has no data to read), and Python's peak allocation while
extracting each file stays within a multiple of the file's size.
"""

from __future__ import annotations

import json
import re
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from bad_corpus import GOOD, build
from cli.main import main
from ingest import IngestError, extract_report
from ingest.options import load_options
from search import Index, SearchRequest

# Each message must tell the user what to do about it (or, for a file type we do not read,
# which types we do).
ADVICE = re.compile(r"\b(check|split|use|raise|rename|give|run|save|leave|download|ingest)\b"
                    r"|supported extensions are")
#: Peak Python allocation while extracting a file: this many times its size, plus a floor
#: for the parsers' own tables.
MEMORY_FACTOR, MEMORY_FLOOR = 40, 48 * 1024 * 1024


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    archive, outside, expect = build(root)
    return root, archive, outside, expect


def test_the_corpus_has_at_least_thirty_kinds(corpus):
    *_, expect = corpus
    bad = [name for name in expect if name not in GOOD]
    assert len(bad) >= 30, len(bad)
    outcomes = {e.ingest for e in expect.values()}
    assert outcomes >= {"indexed", "failed", "skipped"}


def test_extract_answers_every_file_in_one_line_or_an_outline(corpus):
    root, archive, _, expect = corpus
    config = root / "report-archive.toml"
    for name, e in expect.items():
        path = archive / name
        result = CliRunner().invoke(main, ["extract", str(path), "--config", str(config)])
        assert "Traceback" not in result.output, (name, result.output)
        if e.extract == "ok":
            assert result.exit_code == 0, (name, result.output)
            continue
        assert result.exit_code == 1, (name, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, (name, lines)
        assert lines[0].startswith(f"Error: {path}: "), (name, lines[0])
        assert (e.extract_says or e.says) in lines[0], (name, lines[0])
        assert ADVICE.search(lines[0].split(": ", 2)[2]), (name, lines[0])


def test_one_ingest_batch_indexes_every_good_file_and_explains_the_rest(corpus, tmp_path):
    root, archive, outside, expect = corpus
    index_dir = tmp_path / "index"
    result = CliRunner().invoke(main, ["ingest", str(archive), "--index", str(index_dir),
                                       "--jobs", "2", "--config", str(root / "report-archive.toml"),
                                       "--json"])
    assert result.exit_code == 1, result.output  # some files failed; the rest are indexed
    assert "Traceback" not in result.output
    summary = json.loads(result.stdout)
    failed = {Path(f["path"]).relative_to(archive).as_posix(): f["reason"] for f in summary["failed"]}
    skipped = {Path(s["path"]).relative_to(archive).as_posix(): s["reason"]
               for s in summary["skipped"]}
    want = {kind: {n for n, e in expect.items() if e.ingest == kind}
            for kind in ("indexed", "failed", "skipped")}
    assert set(failed) == want["failed"]
    assert set(skipped) >= want["skipped"]
    assert set(skipped) - want["skipped"] == {"outside-dir"}  # the folder link out: not walked
    for name, reason in {**failed, **skipped}.items():
        assert reason.startswith(f"{archive / name}: "), reason
        assert expect[name].says in reason if name in expect else True, (name, reason)
        assert ADVICE.search(reason.split(": ", 1)[1]) or "skipped" in reason, (name, reason)
    # Every good or merely odd file is in; the link back up the tree added no duplicates.
    assert summary["added"] == len(want["indexed"])
    index = Index(index_dir)
    ids = [r.id for r in index.reports()]
    assert len(ids) == len(set(ids)) == summary["added"]
    for name in GOOD:
        assert index.source_path(next(r.id for r in index.reports() if r.source.endswith(name)))
    for name, e in expect.items():
        if e.find:
            total = index.search(SearchRequest(q=e.find)).total
            assert total >= 1, (name, e.find)
    assert index.search(SearchRequest(q="outsideword")).total == 0
    # Names in three scripts: three readable ids, none lost to a clash.
    script_ids = sorted(i for i in ids if i.startswith(("baogao-", "otchet-")))
    assert len(script_ids) == 3 and script_ids[0] != script_ids[1]
    assert all(re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{6}", i) for i in script_ids)
    # No NUL (nor other control character) reached the index.
    for rid in ids:
        report = index.report(rid)
        text = report.title + "".join(s.heading + s.text for s in report.sections)
        assert not re.search(r"[\x00-\x08\x0b\x0e-\x1f]", text), rid


def test_extraction_memory_is_bounded_by_the_file_size(corpus):
    root, archive, _, expect = corpus
    options = load_options(root / "report-archive.toml")
    for name, e in expect.items():
        path = archive / name
        if e.ingest not in ("indexed", "failed") or path.is_dir():
            continue
        size = path.stat().st_size
        tracemalloc.start()
        try:
            extract_report(path, options=options)
        except IngestError:
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        if name == "huge-sparse.txt":
            assert peak < 1024 * 1024, peak  # refused from its size: never read
        else:
            assert peak <= MEMORY_FACTOR * size + MEMORY_FLOOR, (name, size, peak)


def test_follow_symlinks_reads_a_link_out_of_the_archive(corpus, tmp_path):
    root, archive, _, _ = corpus
    small = tmp_path / "small"
    small.mkdir()
    (small / "outside-link.txt").symlink_to(archive.parent / "outside" / "secret.txt")
    index_dir = tmp_path / "index"
    # rebuild (below) swaps Whoosh generations: a Whoosh index
    plain = CliRunner().invoke(main, ["ingest", str(small), "--index", str(index_dir),
                                      "--engine", "whoosh"])
    assert plain.exit_code == 0 and "skipped: " in plain.stderr
    assert "0 added" in plain.stdout and "1 skipped" in plain.stdout
    followed = CliRunner().invoke(main, ["ingest", str(small), "--index", str(index_dir),
                                         "--follow-symlinks"])
    assert followed.exit_code == 0, followed.output
    assert Index(index_dir).search(SearchRequest(q="outsideword")).total == 1
    # A rebuild follows them too, as the ingest it repeats was asked to.
    rebuilt = CliRunner().invoke(main, ["rebuild", "--index", str(index_dir), "--jobs", "1"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert Index(index_dir).search(SearchRequest(q="outsideword")).total == 1


def test_the_watcher_ignores_links_out_of_its_folders(corpus):
    from search._watch import wanted

    _, archive, _, _ = corpus
    assert not wanted(archive / "outside-link.txt", [archive])
    assert not wanted(archive / "dev-zero.txt", [archive])
    assert wanted(archive / "inside-link.txt", [archive])
    assert wanted(archive / "cp1252.txt", [archive])
