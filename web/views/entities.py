"""Entities: all of them by type (``?type=``, ``?q=``), and one entity's page with its chart."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request

from ingest.model import ENTITY_TYPES
from web import urls
from web.render import respond, twin, wants_json
from web.state import get_index, outbound_link

bp = Blueprint("entities", __name__)


def _links(entity_type: str, name: str) -> dict:
    return urls.links(urls.entity(entity_type, name), urls.entity(entity_type, name, api=True))


def index():
    """Every entity with its report and mention counts, grouped by type."""
    wanted = request.args.get("type", "").strip() or None
    needle = request.args.get("q", "").strip()
    if wanted is not None and wanted not in ENTITY_TYPES:
        abort(400, f"Unknown entity type {wanted!r} in parameter 'type': use one of "
                   f"{', '.join(ENTITY_TYPES)}, or leave it out for all types.")
    stats = [e.to_dict() for e in get_index().entities()]
    counts = {t: 0 for t in ENTITY_TYPES}
    for entity in stats:
        counts[entity["type"]] = counts.get(entity["type"], 0) + 1
    shown = [{**e, **_links(e["type"], e["name"])} for e in stats
             if (wanted is None or e["type"] == wanted)
             and (not needle or needle.casefold() in e["name"].casefold())]
    groups: dict[str, list[dict]] = {}
    for entity in shown:
        groups.setdefault(entity["type"], []).append(entity)
    data = {
        "type": wanted, "q": needle or None, "total": len(shown), "entities": shown,
        "types": [{"type": t, "count": n, **urls.links(urls.entities(t), urls.entities(t, api=True))}
                  for t, n in counts.items()],
        **urls.links(urls.entities(wanted), urls.entities(wanted, api=True)),
    }
    return respond("entities.html", data, groups=groups)


_HOW = {"pattern": "an identifier pattern", "gazetteer": "the gazetteer (a configured name)",
        "archive": "archive-wide consistency (the name was typed elsewhere in the archive, "
                   "or by the contexts it recurs in across the archive)",
        "rule:cue": "the cue rule (the contexts it is written in, and how rare the word is)",
        "rule:acronym": "the acronym rule (an acronym defined in the text)",
        "rule:head-noun": "the head-noun rule (a name ending in a typing noun)",
        "rule:context": "the context rule (the words around it say what it is)",
        "rule:shape": "the shape rule (a token shaped like software)",
        "rule:variant": "the variant rule (another form of a configured name)",
        "rule:repeat": "repetition (the name was typed elsewhere in the report)"}


def found_by(via) -> str:
    """How an entity was found, in words ("the gazetteer (a configured name)")."""
    parts = [_HOW.get(v, v) for v in via]
    if not parts:
        return "an unknown route"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def show(entity_type: str, name: str):
    """One entity: chart per month, every mention in period order, co-mentions, links."""
    if entity_type not in ENTITY_TYPES:
        abort(404, f"Unknown entity type {entity_type!r}: the types are "
                   f"{', '.join(ENTITY_TYPES)}. The list is at {urls.entities()}.")
    detail = get_index().entity(entity_type, name,
                                all_co_mentions=request.args.get("co") == "all")
    if detail is None:
        abort(404, f"No {entity_type} named {name!r} in the index. The {entity_type} list is "
                   f"at {urls.entities(entity_type)}.")
    if detail.name != name:  # an alias or another case: send to the one canonical URL
        return redirect(urls.entity(detail.type, detail.name, api=wants_json()))
    data = detail.to_dict()
    data.update(_links(detail.type, detail.name))
    data["link"] = outbound_link(detail.type, detail.name)
    data["found_by"] = found_by(detail.via)
    for occurrence in data["occurrences"]:
        occurrence["html_url"] = urls.report(occurrence["report_id"], occurrence["anchor"])
        occurrence["url"] = urls.report(occurrence["report_id"], api=True)
    for co in data["co_mentions"]:
        co.update(_links(co["type"], co["name"]))
    bars = [(m["period"], m["count"]) for m in data["per_month"]]
    return respond("entity.html", data, bars=bars)


twin(bp, ["/entities"], "/api/entities", "index", index)
twin(bp, ["/entities/<entity_type>/<path:name>"], "/api/entities/<entity_type>/<path:name>",
     "show", show)
