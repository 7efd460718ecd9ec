"""`report-archive serve`: the web app under waitress (a production WSGI server)."""

from __future__ import annotations

import click

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


@click.command()
@click.option("--index", "index_dir", metavar="DIR",
              help="Index directory (default: $REPORT_ARCHIVE_INDEX, else .report-archive/index).")
@click.option("--entities", "entities_file", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False),
              help="Extra entity config (TOML), used for links to canonical pages.")
@click.option("--archive-root", "archive_roots", metavar="DIR", multiple=True,
              type=click.Path(exists=True, file_okay=False),
              help="Directory whose original report files may be served (repeatable); "
                   "default: the roots the index recorded.")
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
# Two threads: searches are CPU-bound under the GIL, so more threads add no throughput,
# while each live thread keeps its own open searcher (about 280 MB at 100k sections).
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker threads (each keeps its own open index searcher).")
def serve(index_dir, entities_file, archive_roots, host, port, threads) -> None:
    """Serve the archive browser and JSON API (read-only) until Ctrl-C."""
    import waitress.server

    from search import resolve_index_dir
    from web import create_app

    app = create_app({
        "INDEX_PATH": str(resolve_index_dir(index_dir)),
        "ENTITIES_FILE": entities_file,
        "ARCHIVE_ROOTS": list(archive_roots) or None,
    })
    server = waitress.server.create_server(app, host=host, port=port, threads=threads)
    bound_port = server.effective_port
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"Serving {app.config['INDEX_PATH']} at http://{shown_host}:{bound_port}/ "
               "(Ctrl-C to stop)")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


COMMANDS = [serve]
