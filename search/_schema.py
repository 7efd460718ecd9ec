"""The Whoosh schema and the mapping between `Report` values and index documents.

One index holds two kinds of documents:
- one ``kind=section`` document per section: what queries match and facets count;
- one ``kind=report`` document per report: report-level metadata (source, sha256, pages,
  entity counts) so a report with no sections still exists and so ingest can tell what
  is indexed without touching section documents.
Stored fields are enough to rebuild the exact `Report` (mentions are a compact JSON list).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from whoosh import columns
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from ingest.model import VIA_GAZETTEER, Mention, Report, Section

#: Separates the values of a multi-valued field; never occurs in entity names.
SEP = "\n"
#: Joins type and name in the ``entkey`` facet field.
KEY_SEP = "\x1f"
#: A document handle or ticket key starts with its series: DMTN-208 -> DMTN, DM-12345 -> DM.
_SERIES = re.compile(r"^([A-Za-z]+)-[0-9]")


class ListField(KEYWORD):
    """A multi-valued exact-match field: values joined by newlines, each one whole term.

    The default analyzers would split ``DMTN-208`` or ``HSC RC2``; this one keeps every value
    intact (lower-cased when asked, so ``entity:dmtn-208`` and ``entity:DMTN-208`` agree).
    With ``column=True`` the values are also kept in a list column, which lets facets count
    them without walking postings or loading stored fields.
    """

    def __init__(self, lowercase: bool = True, column: bool = False, scorable: bool = False):
        analyzer = RegexTokenizer(r"[^\n]+")
        if lowercase:
            analyzer = analyzer | LowercaseFilter()
        super().__init__(scorable=scorable, analyzer=analyzer)
        self.column_type = columns.VarBytesListColumn() if column else None

    def to_column_value(self, value):
        return [v.encode("utf-8") for v in value.split(SEP) if v]

    def from_column_value(self, value):
        return [v.decode("utf-8") for v in value]


def build_schema() -> Schema:
    """The schema of a new index (documented field by field, since queries name them)."""
    stem = StemmingAnalyzer()
    return Schema(
        doc_id=ID(unique=True, stored=True),
        kind=ID(stored=True),
        report_id=ID(stored=True, sortable=True),
        title=TEXT(analyzer=stem, stored=True, field_boost=1.5),
        period=ID(stored=True),
        # Two sort keys so undated reports come last both newest- and oldest-first.
        period_desc=ID(sortable=True),
        period_asc=ID(sortable=True),
        year=ID(sortable=True),
        format=ID(stored=True, sortable=True),
        heading=ID(stored=True, sortable=True),
        section=TEXT(analyzer=stem, field_boost=2.0),
        anchor=ID(stored=True),
        text=TEXT(analyzer=stem, spelling=True),
        entity=ListField(scorable=True),
        type=ListField(),
        series=ListField(scorable=True),
        entkey=ListField(lowercase=False, column=True),
        etype=ListField(lowercase=False, column=True),
        data=STORED(),
    )


def series_of(name: str) -> str | None:
    """The ID series of an entity name (``DMTN`` for ``DMTN-208``), or None."""
    m = _SERIES.match(name)
    return m.group(1) if m else None


def _join(values) -> str:
    return SEP.join(dict.fromkeys(v for v in values if v))


def report_documents(report: Report, source_abs: str) -> list[dict]:
    """The index documents for one report: its report document, then one per section."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    period = report.period or ""
    common = {
        "report_id": report.id,
        "title": report.title,
        "period_desc": period,
        "period_asc": period or "~",
        "format": report.format,
    }
    if period:
        common["period"] = period
        common["year"] = period[:4]
    entities = [[e.type, e.name, e.count] for e in report.entity_counts()]
    meta = {
        "tm": _stored_mentions(report.title_mentions, report.title),
        "source": report.source,
        "source_abs": source_abs,
        "sha256": report.sha256,
        "pages": report.pages,
        "sections": len(report.sections),
        "entities": entities,
        "ingested_at": now,
    }
    if report.evidence is not None:  # for the archive-wide entity pass (ingest.entity_evidence)
        meta["ev"] = report.evidence
    docs = [dict(common, doc_id=report.id, kind="report", data=json.dumps(meta))]
    for order, s in enumerate(report.sections):
        # The title's mentions count with the first section: the title heads the report.
        every = (report.title_mentions if order == 0 else ()) + s.all_mentions
        names = [m.name for m in every]
        stored = {"o": order, "l": s.level, "p": s.page, "t": s.text,
                  "m": _stored_mentions(s.mentions, s.text)}
        if s.heading_mentions:
            stored["hm"] = _stored_mentions(s.heading_mentions, s.heading)
        if order == 0 and report.title_mentions:
            stored["tm"] = meta["tm"]
        doc = dict(
            common,
            doc_id=f"{report.id}#{s.anchor}",
            kind="section",
            heading=s.heading,
            section=s.heading,
            anchor=s.anchor,
            # Canonical names join the text so a search for "Butler" finds "Data Butler".
            text=s.text + "\n" + " ".join(dict.fromkeys(names)),
            entity=_join(names),
            type=_join(m.type for m in every),
            series=_join(series_of(n) for n in names),
            entkey=_join(f"{m.type}{KEY_SEP}{m.name}" for m in every),
            etype=_join(m.type for m in every),
            data=json.dumps(stored, separators=(",", ":"), ensure_ascii=False),
        )
        docs.append({k: v for k, v in doc.items() if v != ""})
    return docs


def _stored_mentions(mentions, text: str) -> list[list]:
    """[type, name, start, end, via(, surface)]: the surface only when it differs from the
    text at the offsets (it never does for mentions found in that text)."""
    return [[m.type, m.name, m.start, m.end, m.via]
            + ([m.surface] if m.surface != text[m.start:m.end] else []) for m in mentions]


def section_data(fields: dict) -> dict:
    """The decoded stored payload of a section document (order, level, page, text, mentions)."""
    return json.loads(fields["data"])


def report_meta(fields: dict) -> dict:
    """The decoded stored payload of a report document."""
    return json.loads(fields["data"])


def mentions_of(data: dict, key: str = "m", text: str | None = None) -> tuple[Mention, ...]:
    """Rebuild a section's mentions (``key="m"``: in its text; ``"hm"``: in its heading, whose
    string is `text`) from its stored payload."""
    text = data["t"] if text is None else text
    return tuple(
        Mention(type=m[0], name=m[1], start=m[2], end=m[3],
                surface=m[5] if len(m) > 5 else text[m[2]:m[3]],
                via=m[4] if len(m) > 4 else VIA_GAZETTEER)
        for m in data.get(key, ())
    )


def rebuild_report(report_fields: dict, section_fields: list[dict]) -> Report:
    """The `Report` equal to the one that was indexed, from its stored documents."""
    meta = report_meta(report_fields)
    decoded = sorted(((section_data(f), f) for f in section_fields), key=lambda p: p[0]["o"])
    sections = tuple(
        Section(heading=f.get("heading", ""), level=d["l"], anchor=f["anchor"], text=d["t"],
                page=d["p"], mentions=mentions_of(d),
                heading_mentions=mentions_of(d, "hm", f.get("heading", "")))
        for d, f in decoded
    )
    title = report_fields["title"]
    return Report(
        id=report_fields["report_id"], title=title,
        period=report_fields.get("period") or None, source=meta["source"],
        format=report_fields["format"], sha256=meta["sha256"], pages=meta["pages"],
        sections=sections, title_mentions=mentions_of({"tm": meta.get("tm", [])}, "tm", title),
        evidence=meta.get("ev"),
    )
