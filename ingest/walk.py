"""Which files an ingest reads: regular files under the given paths, nothing that can hang.

A named pipe blocks whoever opens it until someone writes to it, a device may never end,
and a symbolic link can point anywhere on the machine (whatever it points to would be
published by the web app). So a directory walk:
- reads only regular files; pipes, sockets and devices are skipped with a note;
- follows a symbolic link only when its target stays inside the paths given on the
  command line, unless `follow_symlinks` (``--follow-symlinks``) says to follow all;
  following links into directories, each real directory is walked once (no loops);
- skips hidden entries and README files (an archive's own notes are not reports) and
  yields in sorted order, so runs are repeatable.
A path given by name is yielded as it is: `extract_report` refuses it clearly if it is not
a regular file, since the user asked for that file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ingest.registry import is_supported

#: Called with (path, why) for each entry a walk passes over on purpose.
OnSkip = Callable[[Path, str], None]


def file_kind(mode: int) -> str | None:
    """What a non-regular file is ("a named pipe", ...), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def iter_report_files(paths: Iterable[str | Path], follow_symlinks: bool = False,
                      on_skip: OnSkip | None = None) -> Iterator[Path]:
    """Files to ingest: each given file as is, and the supported regular files under each
    given directory (see the module docs); `on_skip(path, why)` hears what was passed over."""
    paths = [Path(p) for p in paths]
    roots = [p.resolve() for p in paths]
    skip = on_skip or (lambda _path, _why: None)
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        yield from sorted(_walk(path, roots, follow_symlinks, skip))


def _inside(target: Path, roots: list[Path]) -> bool:
    return any(target == root or root in target.parents for root in roots)


def leaves_roots(path: Path, roots: Iterable[Path]) -> bool:
    """True when `path` is a symbolic link whose target lies outside `roots` (what a walk
    does not follow without --follow-symlinks)."""
    return Path(path).is_symlink() and not _inside(Path(path).resolve(),
                                                   [Path(r).resolve() for r in roots])


def _walk(top: Path, roots: list[Path], follow: bool, skip: OnSkip) -> Iterator[Path]:
    walked: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in walked:  # a link back up the tree, or two links to one folder
            dirnames[:] = []
            continue
        walked.add(real)
        here = Path(dirpath)
        keep = []
        for name in sorted(dirnames):
            sub = here / name
            if name.startswith("."):
                continue
            if sub.is_symlink() and not follow and not _inside(sub.resolve(), roots):
                skip(sub, _outside(sub))
                continue
            keep.append(name)
        dirnames[:] = keep
        for name in filenames:
            found = here / name
            if name.startswith(".") or name.lower().startswith("readme") \
                    or not is_supported(found):
                continue
            if found.is_symlink():
                target = found.resolve()
                if not target.exists():
                    skip(found, f"is a broken symbolic link (to {target}); skipped")
                    continue
                if not follow and not _inside(target, roots):
                    skip(found, _outside(found))
                    continue
            try:
                kind = file_kind(os.stat(found).st_mode)
            except OSError as error:
                skip(found, f"cannot be examined ({error.strerror}); skipped")
                continue
            if kind is not None:
                skip(found, f"is {kind}, not a regular file; skipped (only regular files are read)")
                continue
            yield found


def _outside(link: Path) -> str:
    return (f"is a symbolic link to {link.resolve()}, outside the paths given; not followed "
            "(use --follow-symlinks to read it)")
