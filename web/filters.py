"""Jinja filters: the one place where pre-built HTML from search is let through.

`snippet` is the only route by which ``snippet_html`` reaches a page unescaped, and it
checks the promise search makes (text escaped, only ``<mark>`` as markup): a snippet that
breaks it is escaped whole, so a search bug shows angle brackets instead of running code.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timezone

from flask import Flask
from markupsafe import Markup, escape

from web.chart import month_bars
from web.markup import section_html

_MARK = re.compile(r"</?mark>")


def snippet(html: str | None) -> Markup:
    """``snippet_html`` as markup if it only contains ``<mark>`` tags, else escaped."""
    html = html or ""
    if "<" in _MARK.sub("", html) or ">" in _MARK.sub("", html):
        return escape(html)
    return Markup(html)


def period_label(period: str | None) -> str:
    """``2021-03`` -> ``March 2021``; a bare year stays; None -> ``undated``."""
    if not period:
        return "undated"
    match = re.fullmatch(r"(\d{4})-(\d{2})", period)
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{calendar.month_name[int(match.group(2))]} {match.group(1)}"
    return period


def when(iso: str | None) -> str:
    """``2026-11-25T13:31:22Z`` -> ``25 Nov 2026, 13:31 UTC``; unparseable text stays."""
    if not iso:
        return "never"
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return moment.astimezone(timezone.utc).strftime("%-d %b %Y, %H:%M UTC")


def plural(count: int, word: str, many: str | None = None) -> str:
    """``3, "report"`` -> ``3 reports``, with thousands separators."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def register_filters(app: Flask) -> None:
    """Make the filters and the HTML builders available to templates."""
    app.jinja_env.filters["snippet"] = snippet
    app.jinja_env.filters["period"] = period_label
    app.jinja_env.filters["plural"] = plural
    app.jinja_env.filters["when"] = when
    app.jinja_env.globals["section_html"] = section_html
    app.jinja_env.globals["month_bars"] = month_bars
