"""The match statement of the PostgreSQL engine: a query's sections, their score, facets.

`match` turns a compiled query (`_pg_query.Sql`) and the request's filters into the
condition on the section row ``s`` and the score expression (ts_rank over the query's words
plus the entity bonus); `FACET_TOP` counts the five facets of a match set in one pass
over its sections' facet value ids and keeps what a response shows, `FacetRows` reads its
rows.
"""

from __future__ import annotations

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


#: The facets of the match set ``m`` (a CTE holding each match's ``facet_ids``) as rows
#: (2, sections, distinct values of its facet, facet value): its sections' facet value ids
#: (see `_pg_write.facet_lexemes`) counted in one pass over the rows the statement already
#: read, named, and cut on the server to what a response shows: every type, year and
#: format; the first `_facets.top_of` headings and names of each entity type, by count then
#: value (as `_facets.from_counts` ranks them), with how many distinct ones there are. A
#: match set names thousands of entities: sending them all and ranking them in Python cost
#: more than counting them (16 of 100 ms for a common word at 100k sections).
#: (ts_stat over text lexemes takes a query text and runs the match again: a phrase's or a
#: filtered word's recheck of every candidate paid twice; integers are counted cheaper than
#: text.) unnest in the select list (ProjectSet) streams each array's values; in FROM it
#: would be a function scan per match, each filling a tuplestore (measured a third slower).
#: Its four parameters are `facet_params`. A value of the facet's letter alone (an empty
#: heading) or an entity value without a name counts nowhere, as in `from_counts`.
_GROUP = f"CASE WHEN v.value LIKE 'e%%' THEN split_part(v.value, E'\\x{ord(KEY_SEP):02x}', 1) " \
    "ELSE left(v.value, 1) END"
_NAMED = (f"CASE WHEN v.value LIKE 'e%%' THEN strpos(v.value, E'\\x{ord(KEY_SEP):02x}') "
          "BETWEEN 2 AND length(v.value) - 1 ELSE length(v.value) > 1 END")
FACET_TOP = (
    "SELECT 2, x.n, x.d::float8, x.value FROM (SELECT c.n, v.value, g.g, "
    'row_number() OVER (PARTITION BY g.g ORDER BY c.n DESC, v.value COLLATE "C") AS k, '
    "count(*) OVER (PARTITION BY g.g) AS d FROM (SELECT f, count(*) AS n FROM "
    "(SELECT unnest(m.facet_ids) AS f FROM m) u GROUP BY f) c "
    f"JOIN {SCHEMA}.facet_values v ON v.id = c.f, LATERAL (SELECT {_GROUP} AS g) g "
    f"WHERE {_NAMED}) x "
    "WHERE x.g IN ('t', 'y', 'f') OR x.k <= CASE x.g WHEN 'h' THEN %s WHEN %s THEN %s "
    "ELSE %s END")


def facet_params(expand: str | None = None) -> tuple:
    """`FACET_TOP`'s parameters: how many headings, and names of each entity type, to keep
    (`expand`: the facet shown whole, see `_facets.top_of`)."""
    expanded = "e" + expand if expand and expand != "section" else ""
    return (_facets.top_of("section", expand), expanded, _facets.FACET_ALL_MAX,
            _facets.ENTITY_FACET_TOP)


class FacetRows:
    """The facets `FACET_TOP` counted: each facet's values ranked, with how many distinct
    values the cut ones (headings, names per entity type) have."""

    def __init__(self, rows, expand: str | None = None) -> None:
        self.expand = expand
        pairs: dict[str, list] = {"t": [], "y": [], "f": [], "h": []}
        self.entities: dict[str, list] = {}
        self.distinct: dict[str, int] = {}  # "section" or an entity type -> distinct values
        for kind, n, d, value in rows:
            if kind != 2:
                continue
            letter, rest = value[0], value[1:]
            if letter == "e":
                etype, _, name = rest.partition(KEY_SEP)
                self.entities.setdefault(etype, []).append((name, int(n)))
                self.distinct[etype] = int(d)
            else:
                pairs[letter].append((rest, int(n)))
                if letter == "h":
                    self.distinct["section"] = int(d)
        self.pairs = {k: _ranked(v) for k, v in pairs.items()}
        self.entities = {t: _ranked(v) for t, v in self.entities.items()}

    def whole_for(self, expand: str | None) -> bool:
        """Whether these rows hold every value that a response with `expand` shows."""
        if expand == self.expand or expand is None:
            return True
        shown = self.pairs["h"] if expand == "section" else self.entities.get(expand, ())
        return len(shown) >= self.distinct.get(expand, 0)

    def shaped(self, expand: str | None = None) -> dict:
        """The SearchResponse facet dict (`_facets.shape`)."""
        p = self.pairs
        return _facets.shape(types=p["t"], years=p["y"], formats=p["f"], sections=p["h"],
                             section_distinct=self.distinct.get("section", 0),
                             entities=self.entities,
                             entity_distinct={t: self.distinct[t] for t in self.entities},
                             expand=expand)


def _ranked(pairs: list) -> list:
    return sorted(pairs, key=lambda kv: (-kv[1], kv[0]))


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
