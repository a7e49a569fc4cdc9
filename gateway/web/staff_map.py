"""The staff's map: the queue's filters drawn on a map, nearby points grouped by tracking's grid.

The page holds the filters and the map; map.js asks `/staff/map/points` again each time the map
moves, with its box and zoom, and draws the groups tracking made of the member's complaints.
"""

from __future__ import annotations

from flask import jsonify, request, url_for

from gateway.web import i18n
from gateway.web.shared import catalogue, names, web
from gateway.web.staff import QUEUE_FILTERS, STATUSES, api, render, signed_in

_ = i18n.gettext

# The queue's filters that choose complaints (not its page, nor its search words' order).
MAP_FILTERS = tuple(name for name in QUEUE_FILTERS if name != "page")


def _filters() -> dict[str, str]:
    return {key: (request.args.get(key) or "").strip()[:200] for key in MAP_FILTERS}


@web.get("/staff/map")
@signed_in
def staff_map():
    filters = _filters()
    catalog = catalogue()
    given = {k: v for k, v in filters.items() if v}
    return render(
        "staff/map.html",
        filters=filters,
        source=url_for("web.staff_map_points", **given),
        statuses=STATUSES,
        districts=names(catalog["districts"]),
        categories=names(catalog["categories"]),
        catalog=catalog,
    )


@web.get("/staff/map/points")
@signed_in
def staff_map_points():
    params = {k: v for k, v in _filters().items() if v}
    for name in ("bbox", "zoom"):
        if request.args.get(name):
            params[name] = request.args[name][:100]
    answer = api("tracking", "GET", "/api/v1/staff/complaints/map", params=params)
    if not answer.ok:
        return jsonify({"groups": [], "error": answer.status}), answer.status if answer.status < 500 else 503
    groups = []
    for group in answer.body["groups"]:
        shown = {k: group[k] for k in ("lat", "lon", "count") if k in group}
        if group.get("bounds"):
            shown["bounds"] = group["bounds"]
        if group["count"] == 1 and group.get("number"):
            shown["href"] = url_for("web.staff_complaint", number=group["number"])
            shown["label"] = group["number"]
        else:
            shown["label"] = _n_points(group["count"])
        groups.append(shown)
    return jsonify(
        {"groups": groups, "total": answer.body.get("total"), "unplaced": answer.body.get("unplaced")}
    )


def _n_points(count: int) -> str:
    return i18n.ngettext("staff.map.group", count, n=count)
