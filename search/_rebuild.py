"""`rebuild`: a fresh index from the recorded source paths, swapped in atomically.

Every ingest records the paths it was given (absolute) in ``sources.json`` in the index
directory. A rebuild ingests those paths into a new index in a hidden directory inside the
index directory (same file system, so moving files is a rename; Whoosh ignores it), then
swaps it in by writing a table of contents of a newer generation that lists only the new
segments. Writing that TOC is one rename, so a search running meanwhile sees either the
old index or the complete new one, never a half-built one; the old generation's files
are deleted afterwards (searchers that still read them keep their open files). The index
directory's write lock is held throughout, so no ingest runs in between.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage

from search import _aggregate
from search._entity import ENTITIES_COPY
from search._engine import ENGINE_FILE, recorded_engine
from search._health import INDEX_NAME, MANIFEST_NAME, CheckUnsupportedError, NoIndexError, \
    has_index, record_manifest, toc_generations, whoosh_dir
from search._lock import INFO_NAME, LOCK_NAME, write_lock
from search._pg_conn import is_url
from search._types import IngestSummary

SOURCES_NAME = "sources.json"
REBUILD_PREFIX = ".rebuild-"
#: Files of the index directory that are not the index's own generations: kept on a swap.
_KEEP = {LOCK_NAME, INFO_NAME, SOURCES_NAME, ENTITIES_COPY, MANIFEST_NAME, ENGINE_FILE,
         _aggregate.SUMMARY_NAME}


def record_sources(index_dir: str | Path, paths, follow_symlinks: bool = False) -> None:
    """Add `paths` (made absolute) to the index's recorded sources, and whether links out of
    them were followed (once asked, a rebuild follows them too; call with the lock held)."""
    index_dir = Path(index_dir)
    known = recorded_sources(index_dir)
    follow = follow_symlinks or _recorded(index_dir).get("follow_symlinks", False)
    for p in paths:
        absolute = os.path.abspath(p)
        if absolute not in known:
            known.append(absolute)
    target = index_dir / SOURCES_NAME
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"paths": known, "follow_symlinks": bool(follow)}, indent=1),
                   encoding="utf-8")
    os.replace(tmp, target)


def _recorded(index_dir: Path) -> dict:
    try:
        data = json.loads((Path(index_dir) / SOURCES_NAME).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def recorded_sources(index_dir: str | Path) -> list[str]:
    """The paths ingests into this index were given, oldest first ([] if none recorded)."""
    return [str(p) for p in _recorded(Path(index_dir)).get("paths", [])]


def _fallback_sources(index_dir: Path) -> list[str]:
    """For an index older than sources.json: the folders summary.json lists as roots."""
    try:
        data = json.loads((index_dir / _aggregate.SUMMARY_NAME).read_text(encoding="utf-8"))
        return [str(r) for r in data["stats"]["roots"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


class RebuildError(Exception):
    """A rebuild that cannot start; the message says what to do instead."""


def rebuild(index_dir: str | Path, jobs: int | None = None, progress=None) -> IngestSummary:
    """Rebuild the index in `index_dir` from its recorded sources; see the module docs.

    Returns the summary of the fresh ingest (its `failed` files are not in the new index).
    Raises NoIndexError when there is nothing to rebuild, RebuildError when no sources are
    recorded, IndexBusyError when another process writes the index.
    """
    from search._ingest import ingest_paths

    engine = "whoosh" if whoosh_dir(index_dir) else recorded_engine(Path(index_dir)) \
        if not is_url(index_dir) else None
    if engine not in ("whoosh", "tantivy"):
        raise CheckUnsupportedError(
            f"report-archive rebuild rebuilds Whoosh and tantivy index directories; for "
            f"{index_dir}, ingest the sources again into a new index: report-archive "
            "ingest PATH... --index NEW")
    index_dir = Path(index_dir)
    if not has_index(index_dir) and not recorded_sources(index_dir):
        raise NoIndexError(index_dir)
    sources = recorded_sources(index_dir) or _fallback_sources(index_dir)
    if not sources:
        raise RebuildError(
            f"cannot rebuild {index_dir}: it records no source paths; ingest them again "
            f"into a new directory: report-archive ingest PATH... --index NEW_DIR")
    with write_lock(index_dir):
        fresh = index_dir / f"{REBUILD_PREFIX}{os.getpid()}"
        for stale in index_dir.glob(REBUILD_PREFIX + "*"):  # left by a killed rebuild
            shutil.rmtree(stale, ignore_errors=True)
        entities = index_dir / ENTITIES_COPY
        try:
            summary = ingest_paths(sources, fresh, entities_file=entities if entities.exists()
                                   else None, jobs=jobs, progress=progress, engine=engine,
                                   follow_symlinks=_recorded(index_dir).get("follow_symlinks",
                                                                            False))
            (swap_in if engine == "whoosh" else swap_in_tantivy)(fresh, index_dir)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
    return summary


def _carry_over_records(fresh: Path, index_dir: Path) -> None:
    """Move the fresh index's records (sources, entity file, engine) that `index_dir` lacks."""
    for name in (SOURCES_NAME, ENTITIES_COPY, ENGINE_FILE):
        if (fresh / name).exists() and not (index_dir / name).exists():
            os.replace(fresh / name, index_dir / name)


def swap_in_tantivy(fresh: Path, index_dir: Path) -> None:
    """Make the tantivy index in `fresh` the one of `index_dir`: its segment files (named by
    random ids, so they clash with nothing) move in first, unreferenced; then its
    ``meta.json``, tantivy's table of contents, replaces the old one in one rename (the
    swap: a reader opening meanwhile sees the old segments or the new, never a part); then
    the old segments' files go (open readers keep theirs). Call with the lock held."""
    from search._tantivy_engine import SUBDIR

    new_dir, live_dir = fresh / SUBDIR, index_dir / SUBDIR
    live_dir.mkdir(parents=True, exist_ok=True)
    special = {"meta.json", ".managed.json"}
    names = [n for n in os.listdir(new_dir) if n not in special and not n.endswith(".lock")]
    for name in names:
        os.replace(new_dir / name, live_dir / name)
    os.replace(new_dir / "meta.json", live_dir / "meta.json")  # the swap
    if (new_dir / ".managed.json").exists():
        os.replace(new_dir / ".managed.json", live_dir / ".managed.json")
    live = set(names) | special
    for name in os.listdir(live_dir):
        path = live_dir / name
        if name not in live and not name.endswith(".lock") and path.is_file():
            path.unlink(missing_ok=True)
    if (fresh / _aggregate.SUMMARY_NAME).exists():
        os.replace(fresh / _aggregate.SUMMARY_NAME, index_dir / _aggregate.SUMMARY_NAME)
    _carry_over_records(fresh, index_dir)


def swap_in(fresh: Path, index_dir: Path) -> None:
    """Make the index in `fresh` the latest generation of `index_dir` (one TOC rename),
    then delete what the old generations left (call with `index_dir`'s lock held)."""
    source = FileStorage(str(fresh))
    toc = windex.TOC.read(source, INDEX_NAME)
    generation = max(toc_generations(index_dir), default=0) + 1
    names = [n for seg in toc.segments for n in seg.list_files(source)]
    for name in names:  # unreferenced in index_dir until the TOC below names them
        os.replace(fresh / name, index_dir / name)
    summary = _aggregate.read(fresh, toc.generation)
    toc.generation = generation
    toc.write(FileStorage(str(index_dir)), INDEX_NAME)  # the swap: an atomic rename
    if summary is not None:
        summary["generation"] = generation
        _aggregate.write(index_dir, summary)
    toc_name = windex.TOC._filename(INDEX_NAME, generation)
    live = set(names) | {toc_name} | _KEEP
    for name in os.listdir(index_dir):
        path = index_dir / name
        if name not in live and not name.startswith(".") and path.is_file():
            path.unlink(missing_ok=True)
    _carry_over_records(fresh, index_dir)
    record_manifest(index_dir)
