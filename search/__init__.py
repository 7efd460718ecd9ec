"""Search over the report archive: one small facade, the engines (Whoosh, tantivy) hidden in
private modules (see search/_engine.py).

    from search import Index, SearchRequest, ingest_paths, resolve_index_dir
    ingest_paths(["sample_reports"], resolve_index_dir(None))
    response = Index(resolve_index_dir(None)).search(SearchRequest(q="dmtn-208"))
    response.to_dict()  # what `report-archive search --json` and the web API return

Documents are sections; each carries its report's id, title, period and format. Query
syntax: words (stemmed), "phrases", AND/OR/NOT, prefix* and fuzzy~ terms, fields
(entity:, type:, section:, title:, series:, year:, format:, report:, text:), periods
(period:2021, period:2021-01..2021-06) and IDs in any case (dmtn-208, DMTN for the series).
"""

from search._candidates import EntityCandidate
from search._candidates import candidates as entity_candidates
from search._consistency import reannotate_index
from search._engine import DEFAULT_ENGINE, ENGINES, EngineMismatchError
from search._export import EXPORT_MAX, Export, QueryOverview
from search._facets import FACET_ALL_MAX
from search._health import (CheckResult, CheckUnsupportedError, IndexDamagedError, NoIndexError,
                            has_index, no_index_message)
from search._health import check as check_index
from search._health import damage as index_damage
from search._index import Index
from search._ingest import ingest_paths
from search._pg_conn import IndexUnavailableError
from search._paths import DEFAULT_INDEX_DIR, resolve_index_dir
from search._pool import searcher_slot
from search._rebuild import RebuildError
from search._rebuild import rebuild as rebuild_index
from search._types import (CoMention, EntityDetail, EntityRef, EntityStat, Hit, IndexBusyError,
                           IndexStats, IngestSummary, MonthCount, Occurrence, QueryError,
                           ReportSummary, SearchRequest, SearchResponse)
from search._watch import watch_paths

__all__ = [
    "DEFAULT_ENGINE", "DEFAULT_INDEX_DIR", "ENGINES", "EXPORT_MAX", "FACET_ALL_MAX", "CheckResult",
    "CheckUnsupportedError", "CoMention", "EngineMismatchError", "EntityCandidate",
    "EntityDetail", "EntityRef", "EntityStat", "Export", "Hit", "Index",
    "IndexBusyError", "IndexDamagedError", "IndexStats", "IndexUnavailableError",
    "IngestSummary", "MonthCount", "NoIndexError", "Occurrence", "QueryError", "QueryOverview",
    "RebuildError", "ReportSummary", "SearchRequest", "SearchResponse", "check_index",
    "entity_candidates", "has_index", "index_damage", "ingest_paths", "no_index_message",
    "reannotate_index", "rebuild_index", "resolve_index_dir", "searcher_slot", "watch_paths",
]
