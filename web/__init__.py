"""The web app: a read-only browser and JSON API over one search index.

`create_app(config=None)` builds the Flask app. Config flows one way: defaults, then the
mapping passed in. Nothing reads the environment at import time; the default index path
comes from `search.resolve_index_dir(None)` when `create_app` runs.

Config keys:
- ``INDEX_PATH``: the index directory (default: `search.resolve_index_dir(None)`).
- ``ENTITIES_FILE``: optional extra entity config (TOML) for outbound entity links.
- ``INDEX_READ_URLS``: with a PostgreSQL ``INDEX_PATH``, the replicas that serve reads
  (the primary serves them only when no replica answers).
- ``ARCHIVE_ROOTS``: optional list of directories whose files `/reports/<id>/source` may
  serve; by default the roots the index records (see `web.state.archive_roots`).
- ``INDEX_CONCURRENCY`` / ``INDEX_QUEUE`` / ``INDEX_WAIT_SECONDS``: requests served at
  once (default 2), how many may wait for a slot (8) and for how long (10 s) before a 503;
  ``HEAVY_CONCURRENCY`` / ``HEAVY_QUEUE``: the same for expensive-looking queries (1 and
  1); see `web.throttle`.
- ``MAX_CONTENT_LENGTH``: request bodies above this many bytes get a 413 (default 64 KB;
  the service is read-only and takes none).
"""

from __future__ import annotations

from flask import Flask

from search import EXPORT_MAX
from web import errors, urls
from web.filters import register_filters
from web.security import register_security
from web.throttle import register_throttle
from web.views import about, apidocs, downloads, entities, feeds, reports
from web.views import batch as batch_view
from web.views import search as search_view

__all__ = ["create_app"]


def create_app(config: dict | None = None) -> Flask:
    """Build the app; `config` overrides the defaults (tests pass ``INDEX_PATH`` here)."""
    from search import resolve_index_dir  # imported here so tests can set env before

    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_PATH=None,
        ENTITIES_FILE=None,
        ARCHIVE_ROOTS=None,
        INDEX_READ_URLS=(),
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    if config:
        app.config.update(config)
    if not app.config["INDEX_PATH"]:
        app.config["INDEX_PATH"] = str(resolve_index_dir(None))
    app.json.sort_keys = False

    for blueprint in (search_view.bp, reports.bp, entities.bp, about.bp, apidocs.bp, downloads.bp,
                      feeds.bp, batch_view.bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    register_security(app)
    register_throttle(app)
    register_filters(app)
    app.jinja_env.globals["urls"] = urls
    app.jinja_env.globals["export_max"] = EXPORT_MAX
    return app
