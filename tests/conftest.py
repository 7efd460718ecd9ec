"""Shared fixtures: report factories and real indexes built in tmp_path.

- `make_report(...)` builds a `Report` whose mentions point at real offsets in its text.
- `make_index(tmp_path, reports=..., files=...)` writes an index (reports directly, or files
  through the real ingest) and returns a `search.Index` on it.
- `corpus_index` is a session-wide index over `CORPUS`, a handful of small reports written
  for the search tests; tests that need to change an index build their own.
- `engine`: the conformance suite. A test module that marks itself with
  ``pytestmark = pytest.mark.usefixtures("search_engine")`` (or a test that takes `engine`) runs
  once per search engine: Whoosh, tantivy and PostgreSQL; its indexes (`make_index`,
  `corpus_index`, `sample_index`, the web archive, anything `ingest_paths` or the CLI builds
  while the test runs) are built with that engine ($REPORT_ARCHIVE_ENGINE is set for the
  embedded engines). An index goes where `index_location(tmp_dir)` says: a directory for an
  embedded engine, a URL of a new, empty database on the session's throwaway PostgreSQL
  server (tests/pg_server.py) for postgres, dropped when the test ends. Tests of some
  engines' internals say so with ``@pytest.mark.engine_only("whoosh", ...)`` and why.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ingest.model import Mention, Report, Section
from search._engine import ENGINES
from search._engine import ENV_VAR as ENGINE_ENV
from pg_server import pg_cluster, pg_databases, pg_standby, pg_standby2, pg_url  # noqa: F401

#: The engines the conformance suite runs on: the embedded ones, then PostgreSQL (chosen by
#: a URL where an index directory goes, not by --engine).
SUITE_ENGINES = (*ENGINES, "postgres")


def pytest_configure(config):
    config.addinivalue_line("markers", "engine_only(*names): a test of some engines' internals "
                            "(files, locks, segments), run on those engines alone; a comment "
                            "says why")


def pytest_generate_tests(metafunc):
    if "search_engine" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("engine_only")
        metafunc.parametrize("search_engine", list(only.args) if only else SUITE_ENGINES,
                             scope="session")


@pytest.fixture(autouse=True)
def _engine_env(request, monkeypatch):
    """Tests of the conformance suite build their indexes with their engine."""
    engine = (request.getfixturevalue("search_engine")
              if "search_engine" in request.fixturenames else None)
    if engine in ENGINES:
        monkeypatch.setenv(ENGINE_ENV, engine)
    else:  # postgres is chosen by the index URL; no engine named
        monkeypatch.delenv(ENGINE_ENV, raising=False)


def _location(request, engine: str, tmp_dir, name: str):
    """Where a new index of `engine` goes: `tmp_dir`/`name`, or a new database's URL."""
    if engine != "postgres":
        return Path(tmp_dir) / name
    return request.getfixturevalue("pg_databases").create()


@pytest.fixture
def index_location(request, search_engine):
    """Factory: index_location(tmp_dir, name="index") -> where a new index of the test's
    engine goes (a Path for an embedded engine, a postgresql:// URL of a new empty database,
    dropped when the test ends, for postgres)."""
    made = []

    def new(tmp_dir, name: str = "index"):
        location = _location(request, search_engine, tmp_dir, name)
        made.append(location)
        return location

    yield new
    if search_engine == "postgres":
        dbs = request.getfixturevalue("pg_databases")
        for url in made:
            dbs.drop(url)


def make_section(heading: str, text: str, entities=(), anchor: str | None = None,
                 level: int = 1, page: int | None = None) -> Section:
    """A section whose mentions are found in `text`: entities are (type, name, surface)."""
    mentions = []
    for etype, name, surface in entities:
        start = text.index(surface)
        mentions.append(Mention(type=etype, name=name, start=start, end=start + len(surface),
                                surface=surface))
    mentions.sort(key=lambda m: m.start)
    anchor = anchor or "-".join(heading.lower().split()) or "preamble"
    return Section(heading=heading, level=level, anchor=anchor, text=text, page=page,
                   mentions=tuple(mentions))


def make_report(report_id: str, period: str | None, sections, title: str | None = None,
                fmt: str = "text", source: str | None = None) -> Report:
    """A report with a made-up source path and a sha256 of its text."""
    digest = hashlib.sha256("".join(s.text for s in sections).encode()).hexdigest()
    return Report(id=report_id, title=title or f"Status report {period or 'undated'}",
                  period=period, source=source or f"/archive/{report_id}.txt", format=fmt,
                  sha256=digest, pages=None, sections=tuple(sections))


def _corpus() -> list[Report]:
    s = make_section
    return [
        make_report("2021-01-status", "2021-01", [
            s("Summary", "A quiet month. The team planned work on the data access services."),
            s("Technical Progress",
              "DMTN-208 describes the image cutout service. The Butler registry schema "
              "was migrated.",
              [("document", "DMTN-208", "DMTN-208"), ("system", "Butler Registry",
                                                      "Butler registry")]),
        ]),
        make_report("2021-03-status", "2021-03", [
            s("Technical Progress",
              "The Data Butler gained a datastore cache. Qserv ingest throughput doubled.",
              [("system", "Butler", "Data Butler"), ("system", "Qserv", "Qserv")]),
            s("Milestones", "LDM-503-EFDa was claimed after the EFD tests passed.",
              [("milestone", "LDM-503-EFDa", "LDM-503-EFDa"), ("system", "EFD", "EFD")]),
        ], fmt="markdown"),
        make_report("2021-06-status", "2021-06", [
            s("Technical Progress",
              "We benchmarked Qserv on the new cluster. See DMTN-207 for the plan; a "
              "butler was mentioned only in passing at lunch.",
              [("system", "Qserv", "Qserv"), ("document", "DMTN-207", "DMTN-207")]),
            s("Escaping", "The form showed <script>alert(1)</script> and a < b & c in the "
              "cutout preview."),
        ], fmt="html"),
        make_report("2020-11-status", "2020-11", [
            s("Community", "The Joint Status Review went well; DM-12345 tracks the follow-up.",
              [("meeting", "JSR", "Joint Status Review"), ("ticket", "DM-12345", "DM-12345")]),
        ]),
        make_report("undated-notes", None, [
            s("", "Notes without a month about the image cutout service.", anchor="preamble",
              level=0),
        ]),
    ]


CORPUS = _corpus()


@pytest.fixture
def make_index(search_engine, index_location):
    """Factory: make_index(tmp_path, reports=[...] or files=[...]) -> search.Index."""
    from search import Index, ingest_paths
    from search._writer import write_reports

    engine = search_engine

    def factory(tmp_path: Path, reports=None, files=None, **ingest_kwargs):
        index_dir = index_location(tmp_path)
        if reports is not None:
            write_reports(index_dir, reports, engine=engine)
        if files is not None:
            ingest_paths(files, index_dir, jobs=ingest_kwargs.pop("jobs", 1), engine=engine,
                         **ingest_kwargs)
        return Index(index_dir)

    return factory


def session_location(request, label: str):
    """Where a session-wide index of the session's engine goes (kept to the end)."""
    engine = request.getfixturevalue("search_engine")
    return _location(request, engine, request.getfixturevalue("tmp_path_factory").mktemp(
        f"{label}-{engine}"), "index")


@pytest.fixture(scope="session")
def corpus_index(request, search_engine):
    """A read-only index over CORPUS, shared by the whole session (one per engine)."""
    from search import Index
    from search._writer import write_reports

    index_dir = session_location(request, "corpus")
    write_reports(index_dir, CORPUS, engine=search_engine)
    return Index(index_dir)


SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_reports"


@pytest.fixture(scope="session")
def sample_index(request, search_engine):
    """An index of the real sample archive, ingested through the real extractor (2 workers)."""
    from search import Index, ingest_paths

    index_dir = session_location(request, "samples")
    summary = ingest_paths([SAMPLE_DIR], index_dir, jobs=2, engine=search_engine)
    assert summary.failed == (), summary.failed
    return Index(index_dir)


@pytest.fixture(scope="session")
def sample_reports():
    """The sample archive extracted directly: {report id: (path, Report)}, the ground truth."""
    from ingest import extract_report, iter_report_files

    out = {}
    for path in iter_report_files([SAMPLE_DIR]):
        report = extract_report(path)
        out[report.id] = (path, report)
    return out


def pytest_terminal_summary(terminalreporter):
    """Print the entity-evaluation figures (known vs unknown names) when that test ran."""
    import sys

    for name, module in list(sys.modules.items()):
        if name.endswith("test_entity_eval") and getattr(module, "FIGURES", None):
            terminalreporter.section("entity evaluation")
            for label, figures in module.FIGURES.items():
                terminalreporter.write_line(f"{label:28} {figures}")
