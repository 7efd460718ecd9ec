"""Where the index lives: --index beats $REPORT_ARCHIVE_INDEX beats the default.

The value is a directory (an embedded engine) or a PostgreSQL URL
(``postgresql://user@host:5432/db``), which stays a string: a `Path` would fold its ``//``.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The index directory used when neither --index nor $REPORT_ARCHIVE_INDEX names one
#: (relative to the current directory).
DEFAULT_INDEX_DIR = Path(".report-archive/index")
ENV_VAR = "REPORT_ARCHIVE_INDEX"


def resolve_index_dir(cli_value: str | os.PathLike | None = None) -> Path | str:
    """The index directory (or PostgreSQL URL) to use; reads the environment now, never at
    import time."""
    from search._pg_conn import is_url

    value = cli_value or os.environ.get(ENV_VAR)
    if not value:
        return DEFAULT_INDEX_DIR
    return value if is_url(value) else Path(value)
