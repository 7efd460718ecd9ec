"""The match statement of the PostgreSQL engine: a query's sections, their score, facets.

`match` turns a compiled query (`_pg_query.Sql`) and the request's filters into the
condition on the section row ``s`` and the score expression (ts_rank over the query's words
plus the entity bonus); `FACET_COUNT` counts the five facets of a match set in one pass
over its sections' facet value ids, `FacetRows` names and ranks them.
"""

from __future__ import annotations

import heapq

from search import _facets
from search._pg_hits import RANK_WEIGHTS
from search._pg_query import Sql
from search._pg_schema import SCHEMA
from search._schema import KEY_SEP

S = SCHEMA
#: ts_rank's normalisation: 1 divides by 1 + log(words in the section), so a long section
#: that says a word often does not outrank a short one about it (as BM25 does in the
#: embedded engines).
RANK_NORMALISATION = 1


#: The facet counts of the match set ``m`` (a CTE holding each match's ``facet_ids``) as
#: rows (2, facet value id, sections, NULL): its sections' facet value ids (see
#: `_pg_write.facet_lexemes`) counted in one pass over the rows the statement already read.
#: The ids are named and ranked by `FacetRows` in Python, from the names the view keeps:
#: a match set names thousands of entities (5,088 values for a common word at 100k
#: sections), and `_facets.from_counts` (then a Counter per value) spent 15 ms on them where a
#: dict lookup and a heap per facet spend 3 ms (load ~5); ranking them on the server with
#: window functions cost the server as much as it saved here (and the server is the part
#: that every web server shares). (ts_stat over text lexemes takes
#: a query text and runs the match again: a phrase's or a filtered word's recheck of every
#: candidate paid twice; integers are counted cheaper than text.) unnest in the select
#: list (ProjectSet) streams each array's values; in FROM it would be a function scan per
#: match, each filling a tuplestore (measured a third slower).
FACET_COUNT = ("SELECT 2, c.f, c.n::float8, NULL FROM (SELECT f, count(*) AS n FROM "
               "(SELECT unnest(m.facet_ids) AS f FROM m) u GROUP BY f) c")
#: The facets whose every value a response shows (the others: the first `_facets.top_of`).
_WHOLE = ("t", "y", "f")


def facet_names(run, names: dict, ids) -> None:
    """Add to `names` ({facet value id: (facet key, label) or None}, see `facet_key`) the
    values of `ids` it lacks (one round trip when there are any; a value's id never
    changes while the index lives)."""
    missing = [i for i in ids if i not in names]
    if missing:
        found = dict(run(lambda conn: conn.execute(
            f"SELECT id, value FROM {SCHEMA}.facet_values WHERE id = ANY(%s)",
            (missing,)).fetchall()))
        names.update((i, facet_key(found[i]) if i in found else None) for i in missing)


def facet_key(value: str) -> tuple[str, str] | None:
    """(facet key, label) of a facet value: the key is its facet's letter ("t", "y", "f",
    "h"), or "e" and the entity type; None for a value that counts nowhere, as in
    `_facets.from_counts` (its letter alone: an empty heading; an entity without a name)."""
    if value[0] == "e":
        cut = value.find(KEY_SEP)
        if cut < 0 or cut == len(value) - 1:
            return None
        return value[:cut], value[cut + 1:]
    return (value[0], value[1:]) if len(value) > 1 else None


class FacetRows:
    """The facets of a match set from `FACET_COUNT`'s rows and the values' keys (see
    `facet_names`): each facet's values with their counts, ranked only as far as a
    response shows them."""

    def __init__(self, rows, names: dict) -> None:
        self.groups: dict[str, list] = {}  # facet key -> [(-sections, label)]
        #: The ids `names` lacks (their values were not counted: see `facet_names`).
        self.missing: list[int] = []
        groups, get, missing = self.groups, names.get, self.missing
        for kind, f, n, _ in rows:
            if kind == 2:
                got = get(f, missing)
                if got is missing:
                    missing.append(f)
                elif got is not None:  # None: counts nowhere
                    pairs = groups.get(got[0])
                    if pairs is None:
                        pairs = groups[got[0]] = []
                    pairs.append((-n, got[1]))

    def _top(self, key: str, facet: str, expand: str | None) -> list:
        pairs = self.groups.get(key, [])
        k = len(pairs) if key in _WHOLE else _facets.top_of(facet, expand)
        best = sorted(pairs) if k >= len(pairs) else heapq.nsmallest(k, pairs)
        return [(label, int(-n)) for n, label in best]

    def shaped(self, expand: str | None = None) -> dict:
        """The SearchResponse facet dict (`_facets.shape`)."""
        types = [k[1:] for k in self.groups if k[0] == "e"]
        return _facets.shape(
            types=self._top("t", "type", expand), years=self._top("y", "year", expand),
            formats=self._top("f", "format", expand),
            sections=self._top("h", "section", expand),
            section_distinct=len(self.groups.get("h", ())),
            entities={t: self._top("e" + t, t, expand) for t in types},
            entity_distinct={t: len(self.groups["e" + t]) for t in types}, expand=expand)


def match(q: Sql | None, filters) -> tuple[str, tuple, str, tuple]:
    """(where, params, rank expression, its params) of the sections matching `q` and the
    filters."""
    where, params = filters_sql(filters)
    if q is not None:
        where, params = [q.where] + where, q.params + params
    rank, rank_params = rank_sql(q)
    return " AND ".join(where) or "true", params, rank, rank_params


def filters_sql(f) -> tuple[list[str], tuple]:
    where, params = [], ()
    if f is None:
        return where, params
    for value, condition in ((f.type, "s.etypes @> ARRAY[%s]"),
                             (f.entity, "s.entity_names @> ARRAY[%s]"),
                             (f.year, "s.year = %s"), (f.section, "s.heading = %s"),
                             (f.format, "s.format = %s")):
        if value:
            where.append(condition)
            params += (value,)
    if f.period_lo is not None or f.period_hi is not None:
        where.append("s.period BETWEEN %s AND %s")
        params += (f.period_lo or "", f.period_hi or "9999-99")
    return where, params


def rank_sql(q: Sql | None) -> tuple[str, tuple]:
    """The score expression: ts_rank over the query's words plus the entity bonus."""
    if q is None:
        return "0.0", ()
    parts, params = [], ()
    if q.rank:
        parts.append(f"ts_rank('{RANK_WEIGHTS}', s.tsv, %s::tsquery, {RANK_NORMALISATION})")
        params += (" | ".join(f"({t})" for t in q.rank),)
    if q.names:
        from search._pg_query import ENTITY_BONUS
        parts.append(f"(CASE WHEN s.entity_names && %s THEN {ENTITY_BONUS} ELSE 0 END)")
        params += (list(q.names),)
    return (" + ".join(parts) or "0.0"), params
