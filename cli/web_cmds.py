"""`report-archive serve`: the web app under waitress (a production WSGI server).

waitress's limits are set here on purpose rather than left at its defaults (see
`server_settings`): connections that sit idle or trickle bytes are closed after
`CHANNEL_TIMEOUT` seconds, checked every `CLEANUP_INTERVAL` (its defaults, 120 s checked
every 30 s, let 120 sockets that sent only a request line hold all of its 100
connections); the connection limit is far above what idle sockets can fill in that
time; bodies are capped (the service is read-only, GET only) and no `Server` header
names the software.
"""

from __future__ import annotations

import errno

import click

from cli.index_cmds import engine_option

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000
#: Worker threads: the index slots (web.throttle, 2) run the searches; the others wait in
#: the bounded queue, and one is always left to answer a quick 503 or a static file.
DEFAULT_THREADS = 12
CHANNEL_TIMEOUT = 15
CLEANUP_INTERVAL = 2
#: poll() instead of select(), whose 1024-descriptor ceiling would cap connections.
CONNECTION_LIMIT = 1000
#: Request bodies: nothing here takes one; anything larger gets a 413 from waitress.
MAX_BODY_BYTES = 64 * 1024
#: Request line and headers: room for a long query, whose limits the query parser explains.
MAX_HEADER_BYTES = 128 * 1024


def server_settings(threads: int, idle_timeout: int = CHANNEL_TIMEOUT) -> dict:
    """waitress keyword arguments for `threads` worker threads (see the module docs)."""
    return {"threads": threads, "channel_timeout": idle_timeout,
            "cleanup_interval": min(CLEANUP_INTERVAL, idle_timeout), "connection_limit": CONNECTION_LIMIT,
            "asyncore_use_poll": True, "max_request_body_size": MAX_BODY_BYTES,
            "max_request_header_size": MAX_HEADER_BYTES, "ident": ""}


def throttle_config(threads: int) -> dict:
    """The app's slot and queue sizes for `threads` server threads: slots plus queue stay
    below the thread count, so a full queue is answered by a free thread at once."""
    concurrency = min(2, threads - 1)
    return {"INDEX_CONCURRENCY": concurrency, "INDEX_QUEUE": threads - concurrency - 1}


@click.command()
@engine_option
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
# Searches are CPU-bound under the GIL: only two run at once whatever the thread count
# (web.throttle), each with its own open searcher (about 280 MB at 100k sections); the
# other threads hold queued requests or answer 503s and static files.
@click.option("--threads", default=DEFAULT_THREADS, show_default=True,
              type=click.IntRange(2, 64),
              help="Worker threads; two run searches, the rest queue or answer 503s.")
@click.option("--access-log", "access_log", metavar="FILE",
              help="Append one line per request to FILE ('-' for stderr).")
@click.option("--read", "read_urls", metavar="URL", multiple=True,
              help="PostgreSQL index: a replica to read from (repeatable); reads go to the "
                   "replicas, and to the --index primary only when none answers.")
@click.option("--idle-timeout", default=CHANNEL_TIMEOUT, show_default=True, metavar="SECONDS",
              type=click.IntRange(1, 3600),
              help="Close connections that send nothing for this long (idle or stalled).")
def serve(index_dir, entities_file, archive_roots, host, port, threads, access_log,
          read_urls, idle_timeout) -> None:
    """Serve the archive browser and JSON API (read-only) until Ctrl-C."""
    import waitress.server

    from web import create_app

    path = _index_to_serve(index_dir)
    app = create_app({
        "INDEX_PATH": str(path),
        "ENTITIES_FILE": entities_file,
        "ARCHIVE_ROOTS": list(archive_roots) or None,
        "INDEX_READ_URLS": list(read_urls),
        **throttle_config(threads),
    })
    wsgi = app
    if access_log:
        from web.access_log import AccessLog, access_logger

        try:
            wsgi = AccessLog(app, access_logger(access_log))
        except OSError as error:
            raise click.ClickException(f"cannot write the access log {access_log}: "
                                       f"{error.strerror}; give a writable file or '-'") from None
    try:
        server = waitress.server.create_server(wsgi, host=host, port=port,
                                               **server_settings(threads, idle_timeout))
    except OSError as error:
        raise click.ClickException(_listen_problem(host, port, error)) from None
    bound_port = server.effective_port
    shown_host = f"[{host}]" if ":" in host else host
    from search._pg_conn import shown

    click.echo(f"Serving {shown(app.config['INDEX_PATH'])} at http://{shown_host}:{bound_port}/ "
               "(Ctrl-C to stop)")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


def _index_to_serve(index_dir: str | None):
    """The index directory: a damaged index is refused (one line), and so is a directory
    given by --index or $REPORT_ARCHIVE_INDEX that holds none (exit 2); the default
    location without an index prints the hint and serves the empty archive."""
    from cli.index_access import NoIndexUsageError, shows_index_option
    from search import IndexDamagedError, has_index, index_damage, no_index_message
    from search import resolve_index_dir

    path = resolve_index_dir(index_dir)
    if not has_index(path):
        if shows_index_option(path):
            raise NoIndexUsageError(no_index_message(path))
        click.echo(f"Note: {no_index_message(path, False)}; serving an empty archive.", err=True)
        return path
    problem = index_damage(path)
    if problem is not None:
        raise click.ClickException(str(IndexDamagedError(path, problem)))
    from search._engine import EngineMismatchError, choose, requested_engine
    try:
        choose(path, requested_engine())  # --engine against what the index records
    except EngineMismatchError as error:
        raise click.ClickException(str(error)) from None
    return path


def _listen_problem(host: str, port: int, error: OSError) -> str:
    where = f"{host}:{port}"
    if error.errno == errno.EADDRINUSE:
        return (f"cannot listen on {where}: the port is already in use (another server?); "
                "stop it or pick another port with --port")
    if error.errno == errno.EACCES:
        return f"cannot listen on {where}: permission denied; use a port above 1023"
    return f"cannot listen on {where}: {error.strerror or error}; check --host and --port"


COMMANDS = [serve]
