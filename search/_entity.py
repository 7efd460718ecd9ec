"""One entity over time: where it is mentioned, how often per month, what it goes with."""

from __future__ import annotations

import os
from collections import Counter
from functools import lru_cache
from pathlib import Path

from search import _snippet
from ingest.model import VIA_GAZETTEER
from search._types import CoMention, EntityDetail, MonthCount, Occurrence

CO_MENTIONS_TOP = 15


#: The --entities file of the last ingest that gave one, copied into the index directory so
#: that its aliases resolve at query time too (the index describes itself).
ENTITIES_COPY = "entities.toml"


def record_entities_file(index_dir: Path, entities_file: str | None) -> None:
    """Keep a copy of the extra entity configuration used to build the index (atomically)."""
    if not entities_file:
        return  # extras only add names: a run without them leaves the earlier copy in force
    target = Path(index_dir) / ENTITIES_COPY
    tmp = target.with_suffix(".toml.tmp")
    tmp.write_bytes(Path(entities_file).read_bytes())
    os.replace(tmp, target)


@lru_cache(maxsize=8)
def _matcher(extra: str | None, stamp: int | None):
    from ingest.entities import load_matcher

    return load_matcher(Path(extra) if extra else None)


def _canonical(index_dir: Path, name: str) -> tuple[str, str] | None:
    """`name` as the index's own entity configuration normalises it, or None."""
    from search._pg_conn import is_url

    if is_url(index_dir):  # a PostgreSQL index keeps its --entities file in the database
        from search._pg_read import entities_copy
        copy = entities_copy(index_dir)
        if copy is None:
            return _matcher(None, None).canonical(name)
    else:
        copy = Path(index_dir) / ENTITIES_COPY
    try:
        return _canonical_in(str(copy), copy.stat().st_mtime_ns, name)  # re-read on change
    except OSError:
        return _canonical_in(None, None, name)


@lru_cache(maxsize=4096)
def _canonical_in(extra: str | None, stamp: int | None, name: str) -> tuple[str, str] | None:
    # a query looks its words up once per search (the matcher runs its rules: ~0.3 ms)
    return _matcher(extra, stamp).canonical(name)


def query_name(index_dir: Path, name: str) -> str:
    """The name to look up in the (lower-cased) entity field: aliases become canonical.

    Case needs no work here (the field is lower-cased); only aliases such as "Data Butler"
    need the matcher, with the extra --entities names the index was built with.
    """
    found = _canonical(index_dir, name.strip())
    return found[1] if found else name.strip()


def resolve_name(index, name: str, type: str | None = None) -> str:
    """The canonical name for `name` (any case, or an alias); `name` itself if unknown."""
    lowered = name.strip().lower()
    for e in index._summary()["entities"]:
        if e["name"].lower() == lowered and (type is None or e["type"] == type):
            return e["name"]
    found = _canonical(index.path, name.strip())
    if found and (type is None or found[0] == type):
        return found[1]
    return name.strip()


def months_between(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from `first` to `last` inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def detail(index, view, etype: str, name: str,
           all_co_mentions: bool = False) -> EntityDetail | None:
    """The `EntityDetail` of (etype, name), or None when the index has no such entity.

    `view` is the calling thread's engine view (see _engine)."""
    canonical = resolve_name(index, name, etype)
    rows = []
    for fields, data in view.entity_sections(canonical):
        # where each mention is: the body text, the heading, the report title
        places = (("m", data["t"]), ("hm", fields.get("heading", "")), ("tm", fields["title"]))
        own = [(m, text) for key, text in places for m in data.get(key, ())
               if m[0] == etype and m[1] == canonical]
        if own:
            rows.append((fields, data, own))
    if not rows:
        return None
    rows.sort(key=lambda r: (r[0].get("period") or "9999-99", r[0]["report_id"], r[1]["o"]))
    per_period: Counter = Counter()
    co: Counter = Counter()
    occurrences = []
    for fields, data, own in rows:
        period = fields.get("period")
        if period:
            per_period[period] += len(own)
        others = {(m[0], m[1]) for key in ("m", "hm", "tm") for m in data.get(key, ())}
        co.update(others - {(etype, canonical)})
        first, text = own[0]
        occurrences.append(Occurrence(
            report_id=fields["report_id"], title=fields["title"], period=period,
            section=fields.get("heading", ""), anchor=fields["anchor"], page=data["p"],
            snippet_html=_snippet.around(text, first[2], first[3]),
            via=sorted({m[4] if len(m) > 4 else VIA_GAZETTEER for m, _ in own})))
    periods = sorted(per_period)
    per_month = tuple(MonthCount(p, per_period.get(p, 0))
                      for p in (months_between(periods[0], periods[-1]) if periods else []))
    top = sorted(co.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
    top = top if all_co_mentions else top[:CO_MENTIONS_TOP]
    return EntityDetail(
        type=etype, name=canonical, reports=len({r[0]["report_id"] for r in rows}),
        mentions=sum(len(r[2]) for r in rows),
        via=tuple(sorted({v for o in occurrences for v in o.via})),
        first_seen=periods[0] if periods else None, last_seen=periods[-1] if periods else None,
        per_month=per_month, occurrences=tuple(occurrences),
        co_mentions=tuple(CoMention(t, n, c) for (t, n), c in top), co_mentions_total=len(co))
