"""The tantivy documents an ingest worker builds with its phrase words computed ahead
(`with_phrase_words`) are the documents the parent would build from the plain dicts."""

from __future__ import annotations

from pathlib import Path

import pytest

import ingest
from search._schema import report_documents
from search._tantivy_schema import to_document, with_phrase_words

ARCHIVE = Path(__file__).resolve().parent.parent / "sample_reports"


@pytest.mark.parametrize("name", sorted(p.name for p in ARCHIVE.iterdir()
                                        if p.suffix in (".pdf", ".html", ".md", ".txt")))
def test_precomputed_phrase_words_give_the_same_document(name):
    report = ingest.extract_report(ARCHIVE / name)
    plain = report_documents(report, str(ARCHIVE / name))
    ahead = [with_phrase_words(d) for d in report_documents(report, str(ARCHIVE / name))]
    assert len(plain) == len(ahead) > 1  # the report's document and its sections'
    for seq, (a, b) in enumerate(zip(plain, ahead)):
        assert to_document(a, seq).to_dict() == to_document(b, seq).to_dict()
    # the parent takes the words as given, it does not analyze the text again
    section = next(d for d in ahead if d["kind"] == "section" and d["phrase_words"].get("text"))
    section["phrase_words"]["text"] = "given words"
    assert to_document(section, 1).to_dict()["text"] == ["given words"]
