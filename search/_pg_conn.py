"""PostgreSQL URLs where an index directory goes, and connections to them (psycopg 3).

An index location is a PostgreSQL URL when it starts with ``postgresql://`` or
``postgres://`` (libpq's own schemes); anything else is a directory of an embedded engine.
Passwords never appear in what we print: `shown` drops them.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")
#: Seconds a connection attempt may take before the server counts as down.
CONNECT_TIMEOUT = 5


def is_url(location: str | os.PathLike | None) -> bool:
    """Whether `location` names a PostgreSQL database rather than an index directory."""
    return isinstance(location, str) and location.lower().startswith(SCHEMES)


def shown(url: str) -> str:
    """`url` without its password, for messages and the stats page."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def connect(url: str, **kwargs):
    """An autocommit connection to `url` (short connect timeout: a down server is an
    error in seconds, not minutes). Raises `ConnectionProblem` with the URL shown."""
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT, **kwargs)
    except psycopg.OperationalError as error:
        raise ConnectionProblem(url, error) from None


class IndexUnavailableError(RuntimeError):
    """The index cannot be used as it is (database down, other schema version); ``str()``
    says what to do."""


class ConnectionProblem(IndexUnavailableError):
    """The database could not be reached; ``str()`` names it (no password) and says why."""

    def __init__(self, url: str, error: Exception) -> None:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        super().__init__(f"Cannot reach the PostgreSQL index at {shown(url)}: {reason}. "
                         "Check that the server runs and the URL (user, host, port, database) "
                         "is right.")
        self.url = url
