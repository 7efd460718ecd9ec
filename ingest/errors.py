"""Errors a user can act on: each names the file and says what is wrong in one line."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """A file that cannot be turned into a report.

    ``str(error)`` is one line, ``"<path>: <problem>"``, fit to print as it is.
    """

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class UnsupportedFormatError(IngestError):
    """The file's extension names no format we read."""


class EntityConfigError(Exception):
    """An entity configuration file (TOML) that cannot be used; the message names the file."""
