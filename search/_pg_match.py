"""The match statement of the PostgreSQL engine: a query's sections, their score, facets.

`match` turns a compiled query (`_pg_query.Sql`) and the request's filters into the
condition on the section row ``s`` and the score expression (ts_rank over the query's words
plus the entity bonus); `FACET_COUNT` counts the five facets of a match set in one pass
over its sections' facet lexemes, `facet_counts` reads its rows.
"""

from __future__ import annotations

from collections import Counter

from search._pg_hits import RANK_WEIGHTS
from search._pg_query import Sql
from search._pg_schema import SCHEMA
from search._pg_write import FACET_PREFIX

S = SCHEMA
#: ts_rank's normalisation: 1 divides by 1 + log(words in the section), so a long section
#: that says a word often does not outrank a short one about it (as BM25 does in the
#: embedded engines).
RANK_NORMALISATION = 1


#: The facet counts of the match set ``m`` (a CTE holding each match's ``facet_ids``) as
#: rows (2, sections, NULL, facet value): its sections' facet value ids (see
#: `_pg_write.facet_lexemes`) counted in one pass over the rows the statement already read,
#: then the distinct ones named. (ts_stat over text lexemes takes a query text and runs
#: the match again: a phrase's or a filtered word's recheck of every candidate paid twice;
#: integers are counted cheaper than text.)
#: unnest in the select list (ProjectSet) streams each array's values; in FROM it would be
#: a function scan per match, each filling a tuplestore (measured a third slower).
FACET_COUNT = (f"SELECT 2, c.n, NULL, v.value FROM (SELECT f, count(*) AS n FROM "
               f"(SELECT unnest(m.facet_ids) AS f FROM m) u GROUP BY f) c "
               f"JOIN {SCHEMA}.facet_values v ON v.id = c.f")
_FACET_OF = {letter: name for name, letter in FACET_PREFIX.items()}


def facet_counts(rows) -> dict[str, Counter]:
    """{facet: Counter of values} from the (2, sections, NULL, lexeme) rows."""
    counts: dict[str, Counter] = {n: Counter() for n in FACET_PREFIX}
    for kind, n, _, word in rows:
        if kind == 2 and len(word) > 1:  # a lexeme of its letter alone: an empty heading
            counts[_FACET_OF[word[0]]][word[1:]] = int(n)
    return counts


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
