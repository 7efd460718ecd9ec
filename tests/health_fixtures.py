"""A small healthy index of four sample reports, built once per test module, for the
tests that damage a copy of it and check that the damage is reported and repaired."""

from __future__ import annotations

import shutil
from pathlib import Path

from search import ingest_paths

SAMPLES = Path(__file__).resolve().parent.parent / "sample_reports"
#: One report of each text format plus a second text one: small, and every reader runs.
FILES = ("dm-status-202001.txt", "2020-03-dm-notes.md", "DM_Status_June.html",
         "dm-status-202009.txt")


def build_clean(root: Path, engine: str) -> tuple[Path, Path]:
    """(archive dir, a healthy `engine` index built from it) under `root`."""
    archive = root / "archive"
    archive.mkdir()
    for name in FILES:
        shutil.copy2(SAMPLES / name, archive / name)
    index_dir = root / "index"
    assert ingest_paths([archive], index_dir, jobs=1, engine=engine).failed == ()
    return archive, index_dir
