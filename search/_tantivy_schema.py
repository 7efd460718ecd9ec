"""The tantivy schema, its analyzers, and index documents in tantivy's form.

The documents are the Whoosh engine's (`_schema.report_documents`: one report document,
then one per section, with the same stored payloads), so both engines rebuild the same
`Report` and show the same hits. What tantivy adds:

- ``seq``: a u64 per document, ``report ordinal << ORDER_BITS | position`` (0 for the
  report document, 1.. for its sections in order). It is the doc number the engine-neutral
  ranking works with: unique, the same in every segment layout, a report's sections
  consecutive, and its report found by a shift. Ordinals are handed out at commit.
- ``month``: the period as a u64 (202106; 0 undated) for period ranges and the period
  column; fast fields for the facets (``etype``, ``ents``, ``year``, ``format``,
  ``heading``) so tantivy counts them over the whole match set itself.
- ``spell``: the section's words lower-cased but not stemmed, for typo correction.
- ``ents``: every ``type<KEY_SEP>name`` entity key of a section in one fast field, so one
  terms aggregation counts the entity facets of every type.

The phrase fields (``text``, ``title``, ``section``) index the words without stop words
(`content_words`): positions then count the remaining words, as Whoosh's analyzer numbers
them, so a phrase matches the same text on both engines ("status butler" finds "status
of the Butler"; "status of the Butler" does not find "status report Butler"). The title
is stored on its own (``shown_title``), as typed.

`SCHEMA_VERSION` changes with the schema; an index of an earlier schema does not open
(tantivy compares the schemas) and is told to be rebuilt.
"""

from __future__ import annotations

import json

import tantivy
# The Whoosh engine's stop words (its StemmingAnalyzer's), so both engines leave out the
# same words ("from" is one, not in tantivy's English list).
from whoosh.analysis import STOP_WORDS

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

    No analyzer drops stop words from an indexed field: tantivy's stop filter would leave
    gaps in the positions. `content_words` leaves them out before the text is analyzed.
    """
    def base():
        return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(_WORD))
                .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.remove_long(40)))
    return {STEM: base().filter(tantivy.Filter.stemmer("english")).build(),
            LOWER: base().build(),
            STOP: base().filter(tantivy.Filter.custom_stopword(sorted(STOP_WORDS))).build()}


_LOWER_ANALYZER = None


def content_words(text: str) -> str:
    """`text` as the phrase fields index it: its words (lower-cased, as the analyzers cut
    them) without stop words, one space apart. Whoosh drops stop words and numbers the
    words left, so "status of the Butler" holds "status butler" as a phrase, and the
    phrase "status of the butler" is "status butler" there; tantivy's own stop filter
    keeps the gaps, which would make both engines disagree on phrases."""
    global _LOWER_ANALYZER
    if _LOWER_ANALYZER is None:
        _LOWER_ANALYZER = analyzers()[LOWER]
    return " ".join(w for w in _LOWER_ANALYZER.analyze(text) if w not in STOP_WORDS)


#: The schema's version: a change makes older indexes refuse to open (rebuild them).
#: 2: phrase fields without stop words, the title stored apart, one entity facet field.
#: 3: the stored payload (``data``) a bytes field, not indexed.
SCHEMA_VERSION = 3


def build_schema():
    """The schema of a new tantivy index (fields as the Whoosh schema's, see _schema)."""
    sb = tantivy.SchemaBuilder()
    raw = {"tokenizer_name": "raw"}
    sb.add_text_field("doc_id", stored=True, **raw)
    sb.add_text_field("kind", stored=True, **raw)
    sb.add_text_field("report_id", stored=True, **raw)
    sb.add_text_field("title", tokenizer_name=STEM)
    sb.add_text_field("shown_title", stored=True, **raw, index_option="basic")
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
    sb.add_text_field("ents", fast=True, **raw)
    sb.add_unsigned_field("seq", stored=True, indexed=True, fast=True)
    # stored, never searched: as text it was indexed too, each document's whole payload one
    # raw term (the term dictionary was 36 of a 59 MB index at 30k sections, read again by
    # every merge)
    sb.add_bytes_field("data", stored=True)
    return sb.build()


def month_of(period: str | None) -> int:
    """``2021-06`` -> 202106; None -> 0."""
    return int(period[:4]) * 100 + int(period[5:7]) if period else 0


def period_of(month: int) -> str | None:
    return f"{month // 100:04d}-{month % 100:02d}" if month else None


#: The key under which `with_phrase_words` leaves a document's phrase-field words.
_PHRASE = "phrase_words"


def with_phrase_words(doc: dict) -> dict:
    """`doc` (a `_schema.report_documents` dict) with its phrase fields' `content_words`
    computed now. Ingest workers call it while building their documents, so the parent,
    which alone feeds tantivy's one writer, does not analyze every text again (that was
    about a third of its share of a parallel ingest); `to_document` takes them as given."""
    doc[_PHRASE] = {name: content_words(doc[name]) for name in ("title", "section", "text")
                    if doc.get(name) and (name != "text" or doc["kind"] == "section")}
    return doc


def to_document(doc: dict, seq: int):
    """The tantivy Document of one `_schema.report_documents` dict."""
    out = tantivy.Document()
    for name in ("doc_id", "kind", "report_id", "period", "year", "format", "heading",
                 "anchor"):
        value = doc.get(name)
        if value:
            out.add_text(name, value)
    if doc.get("data"):
        out.add_bytes("data", doc["data"].encode("utf-8"))
    words = doc.get(_PHRASE)
    if doc.get("title"):
        out.add_text("shown_title", doc["title"])
        out.add_text("title", words["title"] if words else content_words(doc["title"]))
    if doc.get("section"):
        out.add_text("section", words["section"] if words else content_words(doc["section"]))
    out.add_unsigned("seq", seq)
    out.add_unsigned("month", month_of(doc.get("period")))
    if doc["kind"] == "section":
        text = doc.get("text", "")
        out.add_text("text", words.get("text", "") if words is not None else content_words(text))
        out.add_text("spell", text)
        for name in _MULTI:
            if name in ("entkey",):
                continue
            for value in dict.fromkeys(doc.get(name, "").split(SEP)):
                if value:
                    out.add_text(name, value.lower() if name != "etype" else value)
        for key in dict.fromkeys(doc.get("entkey", "").split(SEP)):
            if key.partition(KEY_SEP)[2]:
                out.add_text("ents", key)
    return out


def fields_of(document) -> dict:
    """A stored tantivy document as the flat dict the Whoosh engine's stored fields give."""
    raw = document.to_dict()
    out = {k: v[0] for k, v in raw.items() if v}
    if "data" in out:
        out["data"] = bytes(out["data"]).decode("utf-8")
    if "shown_title" in out:
        out["title"] = out.pop("shown_title")
    return out


def meta_of(fields: dict) -> dict:
    return json.loads(fields["data"])
