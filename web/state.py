"""Per-app shared objects: the open index and the entity matcher (for outbound links).

Both are created on first use and kept on `app.extensions`, so every request of one app
shares them and two apps (two tests) never do. The lock keeps two waitress threads from
opening the index twice on the first requests.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app

from search import Index

_LOCK = threading.Lock()
_KEY = "report_archive"


def _state() -> dict:
    return current_app.extensions.setdefault(_KEY, {})


def get_index() -> Index:
    """The app's `search.Index`, opened on first use from ``INDEX_PATH``."""
    state = _state()
    if "index" not in state:
        with _LOCK:
            if "index" not in state:
                state["index"] = Index(current_app.config["INDEX_PATH"],
                                       read=current_app.config.get("INDEX_READ_URLS") or ())
    return state["index"]


def _matcher():
    """The entity matcher (built-in config plus ``ENTITIES_FILE``), loaded once per app
    because parsing the config is not free."""
    state = _state()
    if "matcher" not in state:
        from ingest.entities import load_matcher

        extra = current_app.config.get("ENTITIES_FILE")
        with _LOCK:
            state.setdefault("matcher", load_matcher(Path(extra) if extra else None))
    return state["matcher"]


def outbound_link(entity_type: str, name: str) -> str | None:
    """The canonical page of an entity (technote, DocuShare, tracker), or None."""
    return _matcher().link_for(entity_type, name)


def canonical_entity(text: str) -> tuple[str, str] | None:
    """(type, canonical name) when `text` is exactly an alias or ID we know, else None."""
    return _matcher().canonical(text)


def archive_roots() -> list[Path]:
    """The directories `/reports/<id>/source` may serve files from, resolved.

    ``ARCHIVE_ROOTS`` in the config wins; otherwise the roots the index recorded when it
    was built. With neither, no source file is served (we never guess a root).
    """
    configured = current_app.config.get("ARCHIVE_ROOTS")
    if configured:
        roots = configured
    else:
        roots = getattr(get_index().stats(), "roots", None) or []
    return [Path(r).resolve() for r in roots]
