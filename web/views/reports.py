"""Reports: the list by period, one report with linked mentions, and its original file."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_file

from web import urls
from web.render import respond, twin
from web.state import archive_roots, get_index

bp = Blueprint("reports", __name__)


def summary(s) -> dict:
    """A `ReportSummary` as JSON, with its links."""
    return {**s.to_dict(), **urls.links(urls.report(s.id), urls.report(s.id, api=True))}


def index():
    """All reports, oldest period first (the order the index gives)."""
    items = [summary(s) for s in get_index().reports()]
    years: dict[str, list[dict]] = {}
    for item in items:
        years.setdefault((item.get("period") or "undated")[:4], []).append(item)
    data = {"total": len(items), "reports": items,
            **urls.links(urls.reports(), urls.reports(api=True))}
    return respond("reports.html", data, years=years)


def _load(report_id: str):
    report = get_index().report(report_id)
    if report is None:
        abort(404, f"No report with id {report_id!r}. The list of reports is at "
                   f"{urls.reports()}.")
    return report


def show(report_id: str):
    """One report: its sections (mentions linked), original file, previous and next."""
    report = _load(report_id)
    previous, following = get_index().neighbours(report_id)
    data = report.to_dict()
    for section in data["sections"]:
        section["html_url"] = urls.report(report.id, section["anchor"])
    data.update(
        source_url=urls.source(report.id) if _servable(report.id)[0] else None,
        previous=summary(previous) if previous else None,
        next=summary(following) if following else None,
        **urls.links(urls.report(report.id), urls.report(report.id, api=True)),
    )
    for entity in data["entities"]:
        entity.update(urls.links(urls.entity(entity["type"], entity["name"]),
                                 urls.entity(entity["type"], entity["name"], api=True)))
    return respond("report.html", data, report=report)


def _hit(hit) -> dict:
    """A similar section (`search.Hit`) as JSON, with links to its report and its own
    similar sections."""
    return {**hit.to_dict(),
            **urls.links(urls.report(hit.report_id, hit.anchor),
                         urls.report(hit.report_id, api=True)),
            "similar_url": urls.similar(hit.report_id, hit.anchor, api=True)}


def similar(report_id: str, anchor: str):
    """Sections of other reports most like one section of this report ("more like this")."""
    report = _load(report_id)
    section = next((s for s in report.sections if s.anchor == anchor), None)
    if section is None:
        abort(404, f"Report {report_id!r} has no section {anchor!r}. Its sections are "
                   f"listed at {urls.report(report_id)}.")
    # A heading with no text of its own (its subsections hold the text) has nothing to
    # compare; the search backend cannot take empty text either, so do not ask it.
    hits = get_index().more_like_this(report_id, anchor) if section.text.strip() else []
    data = {"report_id": report.id, "anchor": section.anchor, "section": section.heading,
            "hits": [_hit(h) for h in hits],
            **urls.links(urls.similar(report.id, section.anchor),
                         urls.similar(report.id, section.anchor, api=True))}
    return respond("similar.html", data, report=report, source=section,
                   has_text=bool(section.text.strip()))


def _servable(report_id: str) -> tuple[Path | None, str]:
    """The original file if we may serve it, else None and the reason why not.

    The path never comes from the request: the id is looked up in the index, and the
    file must lie inside an archive root (so a tampered index cannot expose /etc).
    """
    path = get_index().source_path(report_id)
    if path is None:
        return None, f"The index records no original file for report {report_id!r}."
    resolved = path.resolve()
    if not any(resolved.is_relative_to(root) for root in archive_roots()):
        return None, (f"The original file of report {report_id!r} is not inside an archive "
                      "root, so it is not served. Start the server with --archive-root DIR "
                      "naming the directory that was ingested.")
    if not resolved.is_file():
        return None, (f"The original file of report {report_id!r} is no longer on disk; "
                      "re-ingest the archive to refresh the index.")
    return resolved, ""


def source(report_id: str):
    """The original file. PDFs are shown as PDFs; every other format as plain text, so
    an HTML report cannot run in our origin."""
    _load(report_id)
    path, why_not = _servable(report_id)
    if path is None:
        abort(404, why_not)
    is_pdf = path.suffix.lower() == ".pdf"
    response = send_file(path, mimetype="application/pdf" if is_pdf else "text/plain",
                         conditional=True, download_name=path.name)
    # The PDF viewer is a plugin: allow it for this response only; nothing can run here.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; object-src 'self'; frame-ancestors 'none'" if is_pdf else
        "default-src 'none'; frame-ancestors 'none'")
    return response


twin(bp, ["/reports"], "/api/reports", "index", index)
twin(bp, ["/reports/<report_id>"], "/api/reports/<report_id>", "show", show)
twin(bp, ["/reports/<report_id>/source"], None, "source", source)
twin(bp, ["/reports/<report_id>/similar/<anchor>"], "/api/reports/<report_id>/similar/<anchor>",
     "similar", similar)
