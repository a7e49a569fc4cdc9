"""The public reports: the complaints whose citizens consented to publish them, for anyone to read.

Only a complaint for which rules.published holds is shown, and only what its citizen consented to
publish (the filing form's checkbox: its subject, description, address, place and photos; the
consent Open311 follows) with its category, district, status and dates, the city's public answers
(rules.public_note) and the photos its citizen sent, as the copies made for showing
(rules.public_photos): never the citizen's name, email or phone, a photo's original, name or GPS
position, an internal note, a staff member's name, remarks or ratings (views.report_view). An
unpublished number and an unknown one get the same 404.

Listings and reports count against RATE_REPORTS per client address; photos do not (a page of
reports shows a thumbnail of each, and browsers and proxies keep them).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from pymongo.database import Database

from common import mongo, ratelimit
from common.errors import BadRequest, NotFound
from common.web import client_address
from services.tracking import domain, grid, reports_store, rules, views
from services.tracking.model import Complaint
from services.tracking.rules import normalize_number
from services.tracking.schemas import REPORTS_REACH, ReportsQuerySchema

reports = Blueprint("tracking_reports", __name__, url_prefix="/api/v1/reports")
_query = ReportsQuerySchema()
NOT_FOUND = "No such report."
# Anyone may keep a photo's copy for an hour: the consent to publish can be withdrawn (anonymisation).
PHOTO_CACHING = "public, max-age=3600"


def _counted() -> None:
    """Count a listing or a report against the client's RATE_REPORTS, or refuse it with 429."""
    db, client, limit = mongo.database(), client_address(), ratelimit.reports_reads()
    ratelimit.check(db, limit, client)
    ratelimit.take(db, limit, client)


def listing(db: Database, query: dict) -> dict:
    """Return a page of the published complaints of the filters, newest first, and how many there are.

    A box (`bbox`) is read by the cells of the store's grid it covers (common/geo.py, 0.002°): a
    report up to a cell beyond its edges may be listed, and its count stops at REPORTS_REACH.
    """
    box = query.get("bbox")
    where = {"district": query.get("district"), "category": query.get("category")}
    statuses = rules.statuses_of(query.get("status"))
    limit = 0
    if box:
        cells = grid.cells(box)
        if cells is None:
            message = f"bbox covers more than {grid.MAX_CELLS} cells of 0.002°: zoom in, or leave it out."
            raise BadRequest(message, fields={"bbox": ["too large"]})
        matches = reports_store.in_cells(cells, statuses=statuses if query.get("status") else None, **where)
        limit = REPORTS_REACH
    else:
        matches = reports_store.parts(statuses=statuses, **where)
    total = reports_store.count(db, matches, limit=limit)
    skip, size = (query["page"] - 1) * query["per_page"], query["per_page"]
    found = reports_store.page(db, matches, skip=skip, limit=size) if skip < total else []
    return {
        "items": [views.report_view(c) for c in found if rules.published(c)],
        "total": total,
        "total_capped": bool(limit) and total >= limit,
        "page": query["page"],
        "per_page": size,
    }


def published_report(number: str) -> Complaint:
    """Return a published complaint as a report reads it, or raise 404 (unknown or not published)."""
    complaint = reports_store.find(mongo.database(), normalize_number(number))
    if complaint is None or not rules.published(complaint):
        raise NotFound(NOT_FOUND)
    return complaint


@reports.get("")
def get_reports():
    """List the published complaints, filtered by district, category, status and box, newest first."""
    _counted()
    query = _query.load({key: value for key, value in request.args.items() if value.strip()})
    return jsonify(listing(mongo.database(), query))


@reports.get("/<number>")
def get_report(number: str):
    """Return one published complaint, with its description; 404 unless published."""
    _counted()
    return jsonify(views.report_view(published_report(number), description=True))


def _photo(number: str, document_id: str, name: str) -> Response:
    """Return a published complaint's photo's copy (`thumb` or `display`), cached by anyone; else 404."""
    complaint = published_report(number)
    if not any(d["id"] == document_id for d in rules.public_photos(complaint)):
        raise NotFound("No such photo.")
    _document, head, content = domain.open_copy(mongo.database(), complaint["_id"], document_id, name)
    response = Response(content, mimetype=head["content_type"])
    response.headers["Content-Length"] = str(head["size"])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = PHOTO_CACHING
    response.set_etag(head["_id"])  # a blob's key is its content's digest
    return response.make_conditional(request)


@reports.get("/<number>/photos/<document_id>")
def get_photo(number: str, document_id: str):
    """Return the display copy of a published complaint's photo (about 1280 pixels, without metadata)."""
    return _photo(number, document_id, "display")


@reports.get("/<number>/photos/<document_id>/thumb")
def get_photo_thumb(number: str, document_id: str):
    """Return the thumbnail of a published complaint's photo (about 320 pixels, without metadata)."""
    return _photo(number, document_id, "thumb")
