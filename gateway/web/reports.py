"""The public reports: the complaints whose citizens consented to publication, on a map and a list.

Everything shown comes from tracking's public API (`/api/v1/reports`), which holds back whatever is
personal; the photos are their public display copies, linked at the API's own addresses.
"""

from __future__ import annotations

import json

from flask import abort, render_template, request
from markupsafe import Markup

from common.vocabulary import OPEN_STATUSES, Status
from gateway.web import i18n
from gateway.web.shared import catalogue, names, problem, web
from gateway.web.upstream import call

_ = i18n.gettext

FILTERS = ("district", "category", "status")
GROUPS = ("open", "done")  # the status filter's groups, beside each status
PER_PAGE = 20
DEEPEST = 1000  # the API pages through a filter's newest 1,000 reports


def _filters() -> dict[str, str]:
    return {name: request.args.get(name, "")[:40] for name in FILTERS if request.args.get(name)}


def _page() -> int:
    text = request.args.get("page", "1")
    return max(1, min(int(text), 10_000)) if text.isdigit() else 1


def _points(items: list[dict]) -> Markup:
    """Return the items' points as map.js draws them (JSON in a data block, never run as script)."""
    groups = [
        {
            "lat": item["location"]["lat"],
            "lon": item["location"]["lon"],
            "count": 1,
            "href": f"/reports/{item['number']}",
            "label": item["subject"],
        }
        for item in items
        if item.get("location")
    ]
    # "<" escaped: the JSON cannot end its <script> element, whatever a subject says.
    return Markup(json.dumps({"groups": groups}, ensure_ascii=False).replace("<", "\\u003c"))


@web.get("/reports")
def reports():
    filters, page = _filters(), _page()
    answer = call(
        "tracking", "GET", "/api/v1/reports", params={**filters, "page": page, "per_page": PER_PAGE}
    )
    if answer.status == 400:  # a filter typed by hand that is not one: shown unfiltered, said so
        filters, error = {}, _("reports.bad_filter")
        answer = call("tracking", "GET", "/api/v1/reports", params={"page": page, "per_page": PER_PAGE})
    else:
        error = None if answer.ok else problem(answer)
    body = answer.body if answer.ok else {"items": [], "total": 0}
    catalog = catalogue()
    context = {
        "items": body["items"],
        "total": body.get("total", len(body["items"])),
        "page": page,
        "per_page": PER_PAGE,
        "reachable": min(body.get("total", 0), DEEPEST),
        "filters": filters,
        "error": error,
        "points": _points(body["items"]),
        "catalog": catalog,
        "categories": names(catalog["categories"]),
        "districts": names(catalog["districts"]),
        "statuses": [(group, _(f"reports.{group}")) for group in GROUPS]
        + [(status, _(f"status.{status}")) for status in Status],
    }
    return render_template("citizen/reports.html", **context)


@web.get("/reports/<number>")
def report(number: str):
    answer = call("tracking", "GET", f"/api/v1/reports/{number[:40]}")
    if answer.status == 404:
        abort(404)
    if not answer.ok:
        abort(503)
    catalog = catalogue()
    context = {
        "r": answer.body,
        "followable": answer.body["status"] in OPEN_STATUSES,
        "points": _points([answer.body]),
        "catalog": catalog,
        "categories": names(catalog["categories"]),
        "districts": names(catalog["districts"]),
    }
    return render_template("citizen/report.html", **context)
