"""The real sample archive end to end: what the index returns agrees with the extractor."""

from __future__ import annotations

from collections import Counter

from search import SearchRequest
import pytest

#: The conformance suite: every test here runs once per search engine (see conftest).
pytestmark = pytest.mark.usefixtures("search_engine")


def test_every_report_is_rebuilt_exactly(sample_index, sample_reports):
    assert len(sample_reports) >= 40
    for report_id, (path, report) in sample_reports.items():
        assert sample_index.report(report_id) == report, path
        assert sample_index.source_path(report_id) == path.resolve()


def test_stats_match_the_extracted_reports(sample_index, sample_reports):
    reports = [r for _, r in sample_reports.values()]
    stats = sample_index.stats()
    assert stats.reports == len(reports)
    assert stats.sections == sum(len(r.sections) for r in reports)
    assert stats.formats == dict(sorted(Counter(r.format for r in reports).items()))
    periods = sorted(r.period for r in reports if r.period)
    assert (stats.first_period, stats.last_period) == (periods[0], periods[-1])


def test_entity_counts_match_the_extracted_mentions(sample_index, sample_reports):
    mentions = Counter()
    reports_of = {}
    for _, report in sample_reports.values():
        for m in report.mentions:
            mentions[(m.type, m.name)] += 1
            reports_of.setdefault((m.type, m.name), set()).add(report.id)
    listed = {(e.type, e.name): e for e in sample_index.entities()}
    assert set(listed) == set(mentions)
    for key, entity in listed.items():
        assert (entity.mentions, entity.reports) == (mentions[key], len(reports_of[key])), key


def test_id_search_finds_exactly_the_sections_that_mention_it(sample_index, sample_reports):
    for name in ("DMTN-208", "LDM-503-EFDa", "Qserv"):
        expected = {(r.id, s.anchor) for _, r in sample_reports.values() for s in r.sections
                    if any(m.name == name for m in s.mentions)}
        assert expected, name
        response = sample_index.search(SearchRequest(q=f"entity:{name}", per_page=100))
        assert {(h.report_id, h.anchor) for h in response.hits} == expected, name
        # the ID typed as a bare word, in lower case, finds at least those sections
        bare = sample_index.search(SearchRequest(q=name.lower(), per_page=100))
        assert expected <= {(h.report_id, h.anchor) for h in bare.hits}, name


def test_year_facet_counts_every_section(sample_index, sample_reports):
    sections_per_year = Counter()
    for _, report in sample_reports.values():
        if report.period:
            sections_per_year[report.period[:4]] += len(report.sections)
    facets = sample_index.search(SearchRequest(per_page=1)).facets
    assert {f["value"]: f["count"] for f in facets["year"]} == dict(sections_per_year)
