"""An access log for `serve --access-log`: one Common Log Format line per request.

waitress writes none of its own. This WSGI middleware wraps the app and writes, when the
response is done, the client address, time, request line, status, bytes sent and the
milliseconds taken (appended to the Common Log Format, so standard tools still parse it).
"""

from __future__ import annotations

import logging
import sys
import time

_LOGGER = "report_archive.access"


def access_logger(target: str) -> logging.Logger:
    """A logger writing bare lines to `target`: a file (appended) or ``-`` for stderr."""
    logger = logging.getLogger(_LOGGER)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    handler = (logging.StreamHandler(sys.stderr) if target == "-"
               else logging.FileHandler(target, encoding="utf-8"))
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    return logger


class AccessLog:
    """WSGI middleware: call the app, count the bytes it sends, log one line at the end."""

    def __init__(self, app, logger: logging.Logger) -> None:
        self.app, self.logger = app, logger

    def __call__(self, environ, start_response):
        started = time.monotonic()
        status = ["-"]

        def start(status_line, headers, exc_info=None):
            status[0] = status_line.split(" ", 1)[0]
            return start_response(status_line, headers, exc_info)

        sent = 0
        body = self.app(environ, start)
        try:
            for chunk in body:
                sent += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()  # WSGI: the server would have called it on the app's iterable
            self._log(environ, status[0], sent, started)

    def _log(self, environ, status: str, sent: int, started: float) -> None:
        path = environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        line = (f'{environ.get("REMOTE_ADDR", "-")} - - '
                f'[{time.strftime("%d/%b/%Y:%H:%M:%S %z")}] '
                f'"{environ.get("REQUEST_METHOD", "-")} {_printable(path)} '
                f'{environ.get("SERVER_PROTOCOL", "-")}" {status} {sent or "-"} '
                f'{(time.monotonic() - started) * 1000:.0f}ms')
        self.logger.info(line)


def _printable(text: str, limit: int = 2000) -> str:
    # A log line per request: control characters (a forged newline) and huge query strings
    # must not split or flood it.
    shown = "".join(c if c.isprintable() else "\\x%02x" % ord(c) for c in text[:limit])
    return shown + ("..." if len(text) > limit else "")
