"""Index health: is there an index, is it whole, and what to run when it is not.

Whoosh opens a damaged index without complaint and fails later, deep in a query, with an
EOFError or a FileNotFoundError; with its table of contents (the ``_MAIN_N.toc`` file)
deleted it even reads as an empty index. So:

- every commit records a manifest next to the index (``manifest.json``: the generation,
  and for each file of it the size and sha256, hashed once per file since segment files
  never change after they are written);
- `damage()` is the cheap check run whenever a generation is opened (one stat per file):
  the TOC is there and readable, every segment has its files, their sizes match the
  manifest of the same generation;
- `check()` is the deep one behind ``report-archive check``: it also hashes every file,
  opens every segment and reads its stored documents and terms, and compares each report
  with its source file's sha256.

A damaged index is reported in one line that names the directory, what is wrong and the
command that fixes it (`damaged_message`); a directory without an index gets the hint to
ingest first (`no_index_message`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

INDEX_NAME = "MAIN"  # as search._writer (which imports us, so it is not imported here)
MANIFEST_NAME = "manifest.json"
_TOC = re.compile(r"^_%s_(\d+)\.toc$" % INDEX_NAME)
_SEGMENT_FILE = re.compile(r"^%s_\w+\.\w+$" % INDEX_NAME)


class IndexDamagedError(Exception):
    """The index directory holds a damaged index; the message says how to rebuild it."""

    def __init__(self, index_dir: str | Path, problem: str) -> None:
        self.index_dir, self.problem = str(index_dir), problem
        super().__init__(damaged_message(index_dir, problem))


class NoIndexError(Exception):
    """The directory holds no index; the message says which command creates one."""

    def __init__(self, index_dir: str | Path, index_option: bool = True) -> None:
        self.index_dir = str(index_dir)
        super().__init__(no_index_message(index_dir, index_option))


class CheckUnsupportedError(Exception):
    """`check` or `rebuild` asked of an index these tools do not know (another engine)."""


def damaged_message(index_dir: str | Path, problem: str) -> str:
    """One line: the directory, what is wrong, the command that fixes it."""
    return (f"the index at {index_dir} is damaged: {problem}; rebuild it from its source "
            f"files with: report-archive rebuild --index {index_dir}")


def no_index_message(index_dir: str | Path, index_option: bool = True) -> str:
    """The hint for a directory that holds no index (`index_option`: show ``--index DIR``)."""
    where = f" --index {index_dir}" if index_option else ""
    return f"no index at {index_dir}; run report-archive ingest PATH...{where} first"


def toc_generations(index_dir: Path) -> list[int]:
    """The generations whose TOC file is in the directory, sorted."""
    try:
        names = os.listdir(index_dir)
    except OSError:
        return []
    return sorted(int(m.group(1)) for n in names if (m := _TOC.match(n)))


def whoosh_dir(index_dir: str | Path) -> bool:
    """False for what these checks do not know: a PostgreSQL URL, or a directory whose
    ENGINE file names another engine (each checks its own index)."""
    from search._engine import recorded_engine
    from search._pg_conn import is_url

    if is_url(index_dir):
        return False
    return recorded_engine(Path(index_dir)) in (None, "whoosh")


def has_index(index_dir: str | Path) -> bool:
    """True when the directory holds an index, whole or damaged (anything to rebuild); for
    a PostgreSQL URL, when the database holds the index's tables."""
    from search._pg_conn import is_url

    if is_url(index_dir):
        from search._pg_engine import PgEngine
        engine = PgEngine(index_dir)
        try:
            return engine.exists()
        finally:
            engine.close()
    if not whoosh_dir(index_dir):  # another engine's directory: it checks itself
        return True
    index_dir = Path(index_dir)
    if toc_generations(index_dir):
        return True
    try:
        return any(_SEGMENT_FILE.match(n) for n in os.listdir(index_dir))
    except OSError:
        return False


# -- the manifest ---------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_manifest(index_dir: Path) -> dict | None:
    try:
        data = json.loads((index_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        return data if isinstance(data.get("files"), dict) else None
    except (OSError, ValueError, AttributeError):
        return None


class _Closing:
    """A storage that closes what Whoosh opened through it, also when reading fails
    (TOC.read leaves its file open when a cut TOC raises half-way)."""

    def __init__(self, storage) -> None:
        self._storage, self._opened = storage, []

    def open_file(self, name, **kwargs):
        stream = self._storage.open_file(name, **kwargs)
        self._opened.append(stream)
        return stream

    def __getattr__(self, name):
        return getattr(self._storage, name)

    def close(self) -> None:
        for stream in self._opened:
            if not stream.is_closed:
                stream.close()


def read_toc(storage, generation: int):
    """Whoosh's TOC of `generation`, its file closed whatever happens."""
    closing = _Closing(storage)
    try:
        return windex.TOC.read(closing, INDEX_NAME, generation)
    finally:
        closing.close()


def _unreadable_segment(storage, toc) -> str | None:
    """The first segment Whoosh cannot open, as a problem, else None (files closed)."""
    for segment in toc.segments:
        closing = _Closing(storage)
        try:
            SegmentReader(closing, toc.schema, segment).close()
        except Exception as error:  # whatever the reader trips over is damage
            return f"segment {segment.segment_id()} cannot be read ({_what(error)})"
        finally:
            closing.close()
    return None


def _generation_files(storage, toc) -> dict[str, list[str]]:
    """Segment id -> the file names of that segment in the storage."""
    return {seg.segment_id(): seg.list_files(storage) for seg in toc.segments}


def record_manifest(index_dir: str | Path) -> None:
    """Record sizes and hashes of the latest generation's files (after every commit)."""
    index_dir = Path(index_dir)
    storage = FileStorage(str(index_dir))
    generation = windex.TOC._latest_generation(storage, INDEX_NAME)
    if generation < 0:
        return
    toc = read_toc(storage, generation)
    old = (_read_manifest(index_dir) or {}).get("files", {})
    names = [windex.TOC._filename(INDEX_NAME, generation)]
    for files in _generation_files(storage, toc).values():
        names.extend(files)
    entries = {}
    for name in names:
        size = (index_dir / name).stat().st_size
        known = old.get(name)
        same = known and known[0] == size and not name.endswith(".toc")
        entries[name] = known if same else [size, _sha256(index_dir / name)]
    target = index_dir / MANIFEST_NAME
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"generation": generation, "files": entries}), encoding="utf-8")
    os.replace(tmp, target)


# -- the checks -----------------------------------------------------------------------------
def damage(index_dir: str | Path) -> str | None:
    """What is wrong with the index in `index_dir` (cheap: reads the TOC, stats the
    files), or None when it looks whole, there is no index at all, or another engine's
    index is there (see `whoosh_dir`)."""
    if not whoosh_dir(index_dir):
        return None
    index_dir = Path(index_dir)
    for _ in range(5):
        generations = toc_generations(index_dir)
        if not generations:
            if has_index(index_dir):
                return ("its table of contents (_MAIN_<n>.toc) is missing, only segment "
                        "files are left")
            return None
        try:
            problem = _damage_of(index_dir, generations[-1])
        except FileNotFoundError:
            problem = "a file vanished while it was checked"
        # A commit meanwhile deletes the files of the generation we were looking at: what
        # looked missing was only replaced. Check the new latest generation instead.
        if problem is None or toc_generations(index_dir)[-1:] == generations[-1:]:
            return problem
    return problem


def _damage_of(index_dir: Path, generation: int) -> str | None:
    storage = FileStorage(str(index_dir))
    toc_name = windex.TOC._filename(INDEX_NAME, generation)
    try:
        toc = read_toc(storage, generation)
    except Exception as error:  # any failure to parse it is damage; say what it was
        return f"its table of contents {toc_name} cannot be read ({_what(error)})"
    manifest = _read_manifest(index_dir)
    sizes = manifest["files"] if manifest and manifest.get("generation") == generation else {}
    for segment_id, files in _generation_files(storage, toc).items():
        if not files:
            return f"segment {segment_id} is missing (its files were deleted)"
        for name in files:
            want = sizes.get(name)
            if want is not None and (index_dir / name).stat().st_size != want[0]:
                return (f"segment file {name} has {(index_dir / name).stat().st_size:,} bytes, "
                        f"{want[0]:,} were written (truncated or overwritten)")
    if not sizes:  # no manifest of this generation to compare with: open each segment
        return _unreadable_segment(storage, toc)
    size = (index_dir / toc_name).stat().st_size
    if toc_name in sizes and sizes[toc_name][0] != size:
        return (f"its table of contents {toc_name} has {size:,} bytes, "
                f"{sizes[toc_name][0]:,} were written")
    return None


def ensure_healthy(index_dir: str | Path) -> None:
    """Raise IndexDamagedError when `damage()` finds a problem."""
    problem = damage(index_dir)
    if problem is not None:
        raise IndexDamagedError(index_dir, problem)


@dataclass
class CheckResult:
    """What ``report-archive check`` found: problems (empty when all is well), counts."""

    index_dir: str
    problems: list[str] = field(default_factory=list)
    segments: int = 0
    documents: int = 0
    reports: int = 0
    sources_checked: int = 0
    #: True when the problems are in the index itself (rebuild), not only in the sources.
    damaged: bool = False

    def to_dict(self) -> dict:
        """The result as JSON (``check --json``)."""
        return {"ok": not self.problems, "index_path": self.index_dir, "damaged": self.damaged,
                "problems": self.problems, "segments": self.segments,
                "documents": self.documents, "reports": self.reports,
                "sources_checked": self.sources_checked}


def check(index_dir: str | Path, sources: bool = True) -> CheckResult:
    """The deep check: files against the manifest's hashes, every segment opened and read,
    and (with `sources`) each report's sha256 against its source file. Raises NoIndexError
    when the directory holds no index."""
    if not has_index(index_dir):
        raise NoIndexError(index_dir)
    from search._engine import recorded_engine
    from search._pg_conn import is_url
    if not is_url(index_dir) and recorded_engine(Path(index_dir)) == "tantivy":
        from search._tantivy_engine import check_into
        result = CheckResult(str(index_dir))
        return _check_sources(result, check_into(Path(index_dir), result), sources)
    if not whoosh_dir(index_dir):
        raise CheckUnsupportedError(
            f"report-archive check reads Whoosh index directories; {index_dir} is another "
            "engine's index (its engine checks itself when it opens)")
    index_dir = Path(index_dir)
    result = CheckResult(str(index_dir))
    problem = damage(index_dir)
    if problem is not None:
        result.problems.append(problem)
        result.damaged = True
        return result
    storage = FileStorage(str(index_dir))
    toc = read_toc(storage, toc_generations(index_dir)[-1])
    manifest = _read_manifest(index_dir)
    hashes = manifest["files"] if manifest and manifest.get("generation") == toc.generation \
        else {}
    reports: dict[str, tuple[str, str]] = {}
    for segment in toc.segments:
        result.segments += 1
        for name in segment.list_files(storage):
            want = hashes.get(name)
            if want is not None and _sha256(index_dir / name) != want[1]:
                result.problems.append(f"segment file {name} does not hold what was written "
                                       "(its sha256 differs)")
        closing = _Closing(storage)
        try:
            reader = SegmentReader(closing, toc.schema, segment)
            try:
                for _ in reader.all_terms():
                    pass
                for fields in reader.all_stored_fields():
                    result.documents += 1
                    if fields.get("kind") == "report":
                        reports[fields["report_id"]] = _source_of(fields)
            finally:
                reader.close()
        except Exception as error:  # a segment that cannot be read through is damage
            result.problems.append(f"segment {segment.segment_id()} cannot be read "
                                   f"({_what(error)})")
        finally:
            closing.close()
    result.damaged = bool(result.problems)
    return _check_sources(result, reports, sources)


def _check_sources(result: CheckResult, reports: dict, sources: bool) -> CheckResult:
    """Each report's sha256 against its source file (with `sources`, on an undamaged index)."""
    result.reports = len(reports)
    if sources and not result.damaged:
        for rid, (path, digest) in sorted(reports.items()):
            result.sources_checked += 1
            note = _source_problem(path, digest)
            if note:
                result.problems.append(f"report {rid}: {note}")
    return result


def _source_of(fields: dict) -> tuple[str, str]:
    from search._schema import report_meta

    meta = report_meta(fields)
    return meta["source_abs"], meta["sha256"]


def _source_problem(path: str, digest: str) -> str | None:
    try:
        if _sha256(Path(path)) != digest:
            return (f"its source file {path} changed since it was indexed; run "
                    "report-archive ingest on it to update the index")
    except FileNotFoundError:
        return (f"its source file {path} is gone; run report-archive ingest --prune to "
                "drop the report")
    except OSError as error:
        return f"its source file {path} cannot be read ({error.strerror})"
    return None


def _what(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
