"""The tantivy schema, its analyzers, and index documents in tantivy's form.

The documents are the Whoosh engine's (`_schema.report_documents`: one report document,
then one per section, with the same stored payloads), so both engines rebuild the same
`Report` and show the same hits. What tantivy adds:

- ``seq``: a u64 per document, ``report ordinal << ORDER_BITS | position`` (0 for the
  report document, 1.. for its sections in order). It is the doc number the engine-neutral
  ranking works with: unique, the same in every segment layout, a report's sections
  consecutive, and its report found by a shift. Ordinals are handed out at commit.
- ``month``: the period as a u64 (202106; 0 undated) for period ranges and the period
  column; fast fields for the facets (``etype``, ``ent_<type>``, ``year``, ``format``,
  ``heading``) so tantivy counts them over the whole match set itself.
- ``spell``: the section's words lower-cased but not stemmed, for typo correction.
"""

from __future__ import annotations

import json

import tantivy
# The Whoosh engine's stop words (its StemmingAnalyzer's), so both engines leave out the
# same words ("from" is one, not in tantivy's English list).
from whoosh.analysis import STOP_WORDS

from ingest.model import ENTITY_TYPES
from search._schema import KEY_SEP, SEP

ORDER_BITS = 20
#: Words: two or more letters or digits, dots inside kept (DP0.2), as Whoosh's analyzer.
_WORD = r"\w(?:\.?\w)+"
STEM = "en_stem"
LOWER = "lower_words"
#: Not a field's analyzer: tells stop words (a word it drops is one).
STOP = "stop_words"
_MULTI = ("entity", "type", "series", "entkey", "etype")


def analyzers() -> dict:
    """The text analyzers our fields name, by tokenizer name (and the stop-word test).

    Stop words are indexed: tantivy's stop filter would leave gaps in the positions, and
    a phrase typed without them ("status of the butler" -> status, butler) must still
    match. Queries leave them out and keep the other words' offsets (see _tantivy_query).
    """
    def base():
        return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(_WORD))
                .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.remove_long(40)))
    return {STEM: base().filter(tantivy.Filter.stemmer("english")).build(),
            LOWER: base().build(),
            STOP: base().filter(tantivy.Filter.custom_stopword(sorted(STOP_WORDS))).build()}


def build_schema():
    """The schema of a new tantivy index (fields as the Whoosh schema's, see _schema)."""
    sb = tantivy.SchemaBuilder()
    raw = {"tokenizer_name": "raw"}
    sb.add_text_field("doc_id", stored=True, **raw)
    sb.add_text_field("kind", stored=True, **raw)
    sb.add_text_field("report_id", stored=True, **raw)
    sb.add_text_field("title", stored=True, tokenizer_name=STEM)
    sb.add_text_field("period", stored=True, **raw)
    sb.add_unsigned_field("month", indexed=True, fast=True)
    sb.add_text_field("year", fast=True, **raw)
    sb.add_text_field("format", stored=True, fast=True, **raw)
    sb.add_text_field("heading", stored=True, fast=True, **raw)
    sb.add_text_field("section", tokenizer_name=STEM)
    sb.add_text_field("anchor", stored=True, **raw)
    sb.add_text_field("text", tokenizer_name=STEM)
    sb.add_text_field("spell", tokenizer_name=LOWER, index_option="freq")
    sb.add_text_field("entity", **raw)
    sb.add_text_field("type", **raw)
    sb.add_text_field("series", **raw)
    sb.add_text_field("etype", fast=True, **raw)
    for etype in ENTITY_TYPES:
        sb.add_text_field(f"ent_{etype}", fast=True, **raw)
    sb.add_unsigned_field("seq", stored=True, indexed=True, fast=True)
    sb.add_text_field("data", stored=True, **raw, index_option="basic")
    return sb.build()


def month_of(period: str | None) -> int:
    """``2021-06`` -> 202106; None -> 0."""
    return int(period[:4]) * 100 + int(period[5:7]) if period else 0


def period_of(month: int) -> str | None:
    return f"{month // 100:04d}-{month % 100:02d}" if month else None


def to_document(doc: dict, seq: int):
    """The tantivy Document of one `_schema.report_documents` dict."""
    out = tantivy.Document()
    for name in ("doc_id", "kind", "report_id", "title", "period", "year", "format",
                 "heading", "section", "anchor", "data"):
        value = doc.get(name)
        if value:
            out.add_text(name, value)
    out.add_unsigned("seq", seq)
    out.add_unsigned("month", month_of(doc.get("period")))
    if doc["kind"] == "section":
        text = doc.get("text", "")
        out.add_text("text", text)
        out.add_text("spell", text)
        for name in _MULTI:
            if name in ("entkey",):
                continue
            for value in dict.fromkeys(doc.get(name, "").split(SEP)):
                if value:
                    out.add_text(name, value.lower() if name != "etype" else value)
        for key in dict.fromkeys(doc.get("entkey", "").split(SEP)):
            etype, _, name = key.partition(KEY_SEP)
            if name:
                out.add_text(f"ent_{etype}", name)
    return out


def fields_of(document) -> dict:
    """A stored tantivy document as the flat dict the Whoosh engine's stored fields give."""
    raw = document.to_dict()
    return {k: v[0] for k, v in raw.items() if v}


def meta_of(fields: dict) -> dict:
    return json.loads(fields["data"])
