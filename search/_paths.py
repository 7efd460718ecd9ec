"""Where the index lives: --index beats $REPORT_ARCHIVE_INDEX beats the default."""

from __future__ import annotations

import os
from pathlib import Path

#: The index directory used when neither --index nor $REPORT_ARCHIVE_INDEX names one
#: (relative to the current directory).
DEFAULT_INDEX_DIR = Path(".report-archive/index")
ENV_VAR = "REPORT_ARCHIVE_INDEX"


def resolve_index_dir(cli_value: str | os.PathLike | None = None) -> Path:
    """The index directory to use; reads the environment now, never at import time."""
    if cli_value:
        return Path(cli_value)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEFAULT_INDEX_DIR
