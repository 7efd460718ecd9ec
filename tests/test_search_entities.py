"""Reports and entities read back from a real index: exact rebuild, lists, aggregations."""

from __future__ import annotations

from conftest import CORPUS, make_report, make_section
from search import EntityStat, MonthCount
import pytest

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")


def test_report_is_rebuilt_exactly(corpus_index):
    for report in CORPUS:
        assert corpus_index.report(report.id) == report
    assert corpus_index.report("no-such-report") is None


def test_reports_sorted_by_period_undated_last(corpus_index):
    rows = corpus_index.reports()
    assert [r.id for r in rows] == ["2020-11-status", "2021-01-status", "2021-03-status",
                                    "2021-06-status", "undated-notes"]
    assert rows[1].to_dict() == {"id": "2021-01-status", "title": "Status report 2021-01",
                                 "period": "2021-01", "format": "text",
                                 "source": "/archive/2021-01-status.txt", "pages": None,
                                 "sections": 2, "entities": 2}


def test_neighbours(corpus_index):
    before, after = corpus_index.neighbours("2021-01-status")
    assert (before.id, after.id) == ("2020-11-status", "2021-03-status")
    assert corpus_index.neighbours("2020-11-status")[0] is None
    assert corpus_index.neighbours("undated-notes")[1] is None
    assert corpus_index.neighbours("nope") == (None, None)


def test_source_path(corpus_index):
    assert str(corpus_index.source_path("2021-01-status")) == "/archive/2021-01-status.txt"
    assert corpus_index.source_path("nope") is None


def test_entities_with_counts_in_type_order(corpus_index):
    stats = corpus_index.entities()
    assert [e.type for e in stats] == sorted(
        (e.type for e in stats),
        key=["document", "milestone", "ticket", "system", "dataset", "organization",
             "meeting"].index)
    assert EntityStat("system", "Qserv", reports=2, mentions=2, first_seen="2021-03",
                      last_seen="2021-06") in stats
    assert [e.name for e in corpus_index.entities("document")] == ["DMTN-207", "DMTN-208"]


def test_entity_detail(tmp_path, make_index):
    s = make_section
    idx = make_index(tmp_path, reports=[
        make_report("r1", "2021-01", [s("A", "Qserv and the EFD. Qserv again.",
                                        [("system", "Qserv", "Qserv"), ("system", "EFD", "EFD")])]),
        make_report("r2", "2021-04", [s("B", "Qserv with the EFD and Sasquatch.",
                                        [("system", "Qserv", "Qserv"), ("system", "EFD", "EFD"),
                                         ("system", "Sasquatch", "Sasquatch")])]),
        make_report("r3", "2021-02", [s("C", "Sasquatch only.",
                                        [("system", "Sasquatch", "Sasquatch")])]),
    ])
    detail = idx.entity("system", "qserv")  # any case
    assert detail.name == "Qserv"
    assert (detail.reports, detail.mentions) == (2, 2)
    assert (detail.first_seen, detail.last_seen) == ("2021-01", "2021-04")
    assert detail.per_month == (MonthCount("2021-01", 1), MonthCount("2021-02", 0),
                                MonthCount("2021-03", 0), MonthCount("2021-04", 1))
    assert [o.report_id for o in detail.occurrences] == ["r1", "r2"]
    assert detail.occurrences[0].snippet_html.startswith("<mark>Qserv</mark> and the EFD.")
    assert [(c.name, c.count) for c in detail.co_mentions] == [("EFD", 2), ("Sasquatch", 1)]
    assert idx.entity("system", "Nothing") is None
    assert idx.entity("document", "Qserv") is None  # wrong type


def test_stats(corpus_index):
    stats = corpus_index.stats()
    assert (stats.reports, stats.sections) == (5, 8)
    assert stats.entities_by_type == {"document": 2, "milestone": 1, "ticket": 1, "system": 4,
                                      "meeting": 1}
    assert stats.formats == {"html": 1, "markdown": 1, "text": 3}
    assert (stats.first_period, stats.last_period) == ("2020-11", "2021-06")
    assert stats.last_updated.endswith("Z")
    assert stats.to_dict()["index_path"] == str(corpus_index.path)


# The embedded engines keep a summary file beside the index; PostgreSQL counts it by SQL.
@pytest.mark.engine_only("whoosh", "tantivy")
def test_stale_summary_is_rebuilt_not_trusted(tmp_path, make_index):
    idx = make_index(tmp_path, reports=CORPUS[:2])
    (idx.path / "summary.json").write_text('{"generation": -5, "reports": []}')
    assert [r.id for r in idx.reports()] == ["2021-01-status", "2021-03-status"]
    (idx.path / "summary.json").write_text("not json")
    assert idx.stats().reports == 2
