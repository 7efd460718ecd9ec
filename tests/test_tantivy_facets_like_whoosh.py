"""tantivy-specific: its facets, cut from tantivy's buckets (most documents first, ties in
tantivy's order), are the Whoosh engine's to the letter: the same values shown, ties at the
cut settled by value, the same "and N more" counts, and the same whole lists with `more=`.

Both engines ingest the real sample archive; the queries are chosen so that many names tie
at the cut (a common word, every section, one rare word).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from search import Index, SearchRequest, ingest_paths

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_reports"


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    out = {}
    for engine in ("whoosh", "tantivy"):
        index_dir = tmp_path_factory.mktemp(f"facets-{engine}")
        summary = ingest_paths([SAMPLE_DIR], index_dir, jobs=1, engine=engine)
        assert summary.failed == (), summary.failed
        out[engine] = Index(index_dir)
    return out


@pytest.mark.parametrize("q", ["", "data", "qserv", "release", "butler"])
@pytest.mark.parametrize("more", [None, "system", "organization", "section"])
def test_tantivy_facets_are_whooshs(both, q, more):
    request = SearchRequest(q=q, per_page=1, more=more)
    want = both["whoosh"].search(request)
    got = both["tantivy"].search(request)
    assert got.total == want.total
    assert got.facets == want.facets


def test_the_queries_cut_lists_at_a_tie(both):
    """The comparison above means something: some cut list has a tie at its cut."""
    tied = 0
    for q in ("", "data", "release"):
        facets = both["whoosh"].search(SearchRequest(q=q, per_page=1)).facets
        whole = {t: both["whoosh"].search(SearchRequest(q=q, per_page=1, more=t))
                 .facets["entity"][t] for t in facets["more"]["entity"]}
        for etype, names in whole.items():
            shown = facets["entity"][etype]
            if len(names) > len(shown) and names[len(shown)]["count"] == shown[-1]["count"]:
                tied += 1
    assert tied >= 2
