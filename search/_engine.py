"""What a search engine must provide to sit behind `search.Index` (private to search/).

The facade (`Index`, `ingest_paths`, `SearchRequest`, the JSON of every response) and the
relevance rules (`_qtree` parses, `_relevance` plans and ranks, `_correct` corrects, `_search`
runs a request) are the same for every engine. An engine provides two objects:

**`Engine`** (one per index directory; `NAME` is what the directory records in ENGINE):
  - `exists()`; `view()` -> the `View` of the latest committed generation for the calling
    thread (or `searcher_slot`), None when there is no index; `close()`.
  - writing: `open_writer()` -> a handle (call with `_lock.write_lock` held);
    `batch(handle)` -> a context manager whose value has `put(report, source_abs)` and
    `delete(report_id)`, committing on success and cancelling, then re-raising, on error;
    `builder(handle, stage_dir)` -> a `Builder` (what one ingest worker fills); `commit(handle,
    finished, delete, dead)` applies one ingest batch in one commit; `existing(handle)` ->
    {report id: {sha256, source_abs}}; `generation(handle)` -> the committed generation;
    `report_fields(handle)` -> the stored report documents (for the summary).
  - `builder` is called in forked worker processes (they inherit the engine and handle).
  - `pool`: has `cached(key, name, build)` for values derived from one generation.
  - the handle of an embedded engine also offers what `_consistency` (archive-wide entity
    consistency, curation) reads and writes: ``searcher()`` -> a context manager whose
    value has ``documents(**field_terms)`` -> stored fields, and (tantivy) ``batch()``.

The engines: `_whoosh_engine` (Whoosh), `_tantivy_engine` (tantivy, the default for a new
index), `_pg_engine` (PostgreSQL, chosen by an index URL instead of a directory).

**`View`** (one generation, used by one thread at a time; `key`: (generation, stamp)).
Documents are sections; a doc is an int, unique in the view, and the sections of one
report are consecutive ints in their order (`_relevance.rank_most` looks at neighbours):
  - `compile(node, resolve)` -> the engine's query for a `_qtree` node, None when nothing
    is left to search (stop words only); `resolve(name)` maps entity aliases to canonical
    names. Prefix/wildcard expansion beyond `_whoosh_query.MAX_EXPANSION` words is a
    QueryError; `literal(text)` -> the words as a phrase in text, title, heading (or None);
    `all_of(queries)` -> their conjunction; `is_stop_word(word)`.
  - for most-words ranking (`_relevance.rank_most`): `field_boosts` ({field: weight} of the
    default fields); `field_docs(node, resolve)` -> {field: set of section docs} holding a
    ranking clause (a word or ID per default field; other clauses under "text"; {} for a
    stop word); `positions(words, docs)` -> ({doc: {term: sorted positions in the text}},
    [(term, term)] of neighbouring words) for the proximity rescoring of the top docs.
  - `matches(q, filters, deadline)` -> [(score, doc)] of every *section* matching `q`
    (None: every section) and the `Filters`, in doc order; past `deadline`
    (time.monotonic()) a QueryError. `docs(q)` -> set of section docs matching `q`.
  - optional, `top(q, filters, limit, deadline)` -> (total, the first `limit` of `matches`
    by score then doc): lets a page in relevance order skip handing every match over.
  - `section_count`, `report_of(doc)` (any hashable, equal within a report),
    `period(doc)` (``YYYY-MM`` or None), `count_reports(docs, match_set=None)` (distinct reports
    of `docs`; with `match_set`, of that whole match set, when `docs` is only the window
    an engine's `top` ranked), `facets(docs, match_set,
    expand)` (the SearchResponse facet dict over exactly `docs`, shaped by
    `_facets.shape`; `match_set`, when not None, is the (compiled query or None for every
    section, Filters) whose whole match set `docs` is, so an engine may count them itself;
    `expand`, a facet of `_facets.expandable()` to show whole up to `FACET_ALL_MAX`).
  - `hits(items, highlight)` -> [Hit] for (score, doc) items, in that order; snippets are
    HTML-safe: document text escaped, `<mark>` around the matched terms of `highlight` (a
    compiled query or None), an ID marked whole (see `_search.highlight_ids`); with no
    highlight match, the mentions of an entity the query named, else the lead.
  - `vocabulary()` -> `candidates(word)`, `frequency(word)`, `best(word, at_least)` (see
    `_suggest.BoundVocabulary`): what typo correction asks of an index.
  - `report(report_id)` -> the stored `Report` or None; `report_fields()` -> the stored
    report documents' fields (see `_aggregate.entry_of`); `entity_sections(name)` ->
    [(fields, data)] of sections naming the canonical entity `name` (fields: report_id,
    title, period, heading, anchor; data: `_schema.section_data` form);
    `more_like_this(report_id, anchor, limit)` -> [Hit] of other reports' sections.

**`Builder`** (one ingest worker's share of a commit): `add(report, source_abs)` ->
(start, end, report document fields), start/end numbering the report's documents in this
builder so a duplicate can be dropped at commit; `finish()` -> something picklable that
`Engine.commit` takes (or None when empty); `cancel()`. A Builder with ``parts = True``
may be finished in the middle of a flush; its engine then has `stage(handle, parts,
delete)`, which takes each part (documents, duplicates left out) before the commit.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from search._types import QueryError

#: The engines there are, and the default for a new index.
ENGINES = ("whoosh", "tantivy")
#: The default for a new index: tantivy, chosen by measurement (README, "Search engines").
DEFAULT_ENGINE = "tantivy"
ENV_VAR = "REPORT_ARCHIVE_ENGINE"
#: The file in an index directory that records which engine built it.
ENGINE_FILE = "ENGINE"


@dataclass(frozen=True)
class Filters:
    """A request's filters as the engine applies them (entity already canonical, lower)."""

    type: str | None = None
    entity: str | None = None
    year: str | None = None
    section: str | None = None
    format: str | None = None
    period_lo: str | None = None   # YYYY-MM, inclusive; None: no bound
    period_hi: str | None = None

    @property
    def period(self) -> bool:
        return self.period_lo is not None or self.period_hi is not None


def check_engine(name: str, where: str) -> str:
    """`name` if it is an engine we have, else a QueryError naming `where` it came from."""
    value = (name or "").strip().lower()
    if value not in ENGINES:
        raise QueryError(f"Unknown search engine {name!r} ({where}). Use one of: "
                         f"{', '.join(ENGINES)}.", param="engine")
    return value


#: The configuration file (see ingest.options) may name the engine: ``[search] engine = ...``.
CONFIG_NAME = "report-archive.toml"


def requested_engine(cli_value: str | None = None, config: str | Path | None = None) -> str | None:
    """The engine asked for: --engine beats $REPORT_ARCHIVE_ENGINE beats ``[search] engine``
    in the configuration file (`config`, else ./report-archive.toml); None when none does."""
    if cli_value:
        return check_engine(cli_value, "--engine")
    env = os.environ.get(ENV_VAR)
    if env:
        return check_engine(env, f"${ENV_VAR}")
    path = Path(config) if config else Path(CONFIG_NAME)
    try:
        import tomllib
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("search", {})
    except (OSError, ValueError):
        return None  # a missing file names nothing; ingest.options reports a broken one
    value = table.get("engine") if isinstance(table, dict) else None
    return check_engine(str(value), f"{path}: [search] engine") if value else None


def recorded_engine(index_dir: Path) -> str | None:
    """The engine that built the index in `index_dir`, None when it records none.

    An index built before engines were recorded holds Whoosh's files: that is Whoosh."""
    index_dir = Path(index_dir)
    try:
        return json.loads((index_dir / ENGINE_FILE).read_text(encoding="utf-8"))["engine"]
    except FileNotFoundError:
        return "whoosh" if any(index_dir.glob("_MAIN_*.toc")) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record_engine(index_dir: Path, name: str) -> None:
    """Write which engine builds `index_dir` (atomically; call with the write lock held)."""
    path = Path(index_dir) / ENGINE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"engine": name}) + "\n", encoding="utf-8")
    os.replace(tmp, path)


class EngineMismatchError(QueryError):
    """The index directory was built by another engine than the one asked for."""


def choose(index_dir: Path, wanted: str | None) -> str:
    """The engine for `index_dir`: the recorded one; `wanted` (or the default) for a new
    index; EngineMismatchError when `wanted` differs from the recorded one."""
    recorded = recorded_engine(index_dir)
    if recorded is None:
        return wanted or DEFAULT_ENGINE
    if wanted is not None and wanted != recorded:
        raise EngineMismatchError(
            f"Index {index_dir} was built by the {recorded} engine, not {wanted}. Open it "
            f"with --engine {recorded}, or build a {wanted} index in a new directory: "
            f"report-archive ingest SOURCES --engine {wanted} --index NEW_DIR "
            f"(the index is derived data; the source files are all it needs).",
            param="engine")
    return recorded


def engine_class(name: str):
    """The Engine class called `name` (imported on demand: each pulls in its library)."""
    if name == "whoosh":
        from search._whoosh_engine import WhooshEngine
        return WhooshEngine
    if name == "tantivy":
        from search._tantivy_engine import TantivyEngine
        return TantivyEngine
    raise QueryError(f"Unknown search engine {name!r}. Use one of: {', '.join(ENGINES)}.",
                     param="engine")


def open_engine(index_dir: Path, wanted: str | None = None):
    """The Engine object for `index_dir` (see `choose`)."""
    return engine_class(choose(Path(index_dir), wanted))(Path(index_dir))
