"""Open311 GeoReport v2, the requests side: finding service requests and following them.

A service request is a complaint: `service_request_id` is its number,
`service_code` its category, `status` `open` or `closed` (resolved, rejected
and closed are closed). Nothing personal is given: no name, email or phone.

The citizen's words are published only with their consent (`publish`, law 09-08): without it a
request shows its category, district, status and dates, and nothing the citizen wrote or where.
With it, also the subject, description, address, point and link, and the notes of the staff (or
the platform's own): `status_notes` is the last of them. A citizen's note (a reopening reason) is
never published. `media_url` is then the public display copy of the citizen's first photo
(/api/v1/reports/{number}/photos/{id}), else the link an Open311 client gave.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, request

from common import config, mongo
from common.errors import BadRequest, NotFound
from common.open311 import PREFIX, respond
from common.web import public_address
from services.tracking import queue_store, rules, store, views
from services.tracking.rules import normalize_number, public_note, published

open311 = Blueprint("tracking_open311", __name__, url_prefix=PREFIX)
FORMAT = "<any(json,xml):fmt>"
WINDOW = timedelta(days=90)
# The dates a period may name. Nothing is filed before 1970 or after 2999, and within these bounds
# `start_date + WINDOW`, `end_date - WINDOW` and the store's UTC milliseconds cannot overflow.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
MAX_PAGE_SIZE = 200


def _status(complaint: dict) -> str:
    return "closed" if complaint["status"] in rules.PUBLICLY_CLOSED else "open"


def _last_note(complaint: dict) -> str | None:
    answers = rules.public_answers(complaint)
    return public_note(complaint, answers[-1]) if answers else None


def _media_url(complaint: dict) -> str | None:
    """Return the public display copy of the first of its citizen's photos, else the link a client gave.

    Both only with the consent to publish (rules.public_photos is empty without it).
    """
    photos = rules.public_photos(complaint)
    if photos:
        return public_address() + views.photo_path(complaint["_id"], photos[0]["id"])
    return complaint.get("media_url") if published(complaint) else None


def service_request(complaint: dict, *, extensions: bool = False) -> dict:
    """Return a complaint as an Open311 service request (no personal data; words and place by consent)."""
    names = complaint.get("category_name") or {}
    shown = complaint if published(complaint) else {}
    location = shown.get("location") or {}
    found = {
        "service_request_id": complaint["_id"],
        "status": _status(complaint),
        "status_notes": _last_note(complaint),
        "service_name": names.get("fr"),
        "service_code": complaint["category"],
        "description": shown.get("description"),
        "agency_responsible": complaint.get("department"),
        "service_notice": None,
        "requested_datetime": views.time_text(complaint["submitted_at"]),
        "updated_datetime": views.time_text(complaint["updated_at"]),
        "expected_datetime": views.time_text(complaint["answer_due"]),
        "address": shown.get("address"),
        "address_id": None,
        "zipcode": None,
        "lat": location.get("lat"),
        "long": location.get("lon"),
        "media_url": _media_url(complaint),
    }
    if extensions:
        found["district"] = complaint["district"]
        found["subject"] = shown.get("subject")
        found["notes"] = [
            {
                "datetime": views.time_text(e["at"]),
                "status": e["status"],
                "description": public_note(complaint, e),
            }
            for e in complaint.get("timeline", [])
        ]
    return found


def _when(name: str) -> datetime | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{name} must be a W3C date and time, such as 2026-03-01T00:00:00Z.") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    # Compared before converting: 0001-01-01T00:00:00+05:00 has no UTC time to convert to.
    if not EARLIEST <= moment <= LATEST:
        raise BadRequest(f"{name} must be from {_w3c(EARLIEST)} to {_w3c(LATEST)}.")
    return moment.astimezone(UTC)


def _w3c(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _whole(name: str, default: int, low: int, high: int) -> int:
    value = (request.args.get(name) or "").strip()
    if not value:
        return default
    # isdecimal, not isdigit: int() refuses "²"; and past 4300 digits, even zeros, int() refuses too.
    if not value.isdecimal() or len(value) > 20 or not low <= int(value) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}.")
    return int(value)


def _extensions() -> bool:
    return (request.args.get("extensions") or "").strip().lower() == "true"


def _jurisdiction() -> str | None:
    """Return the district a GET names: the city's jurisdiction is every district (None)."""
    given = (request.args.get("jurisdiction_id") or "").strip()
    if not given or given == config.settings().open311_jurisdiction:
        return None
    return given


def query() -> tuple[dict, int, int]:
    """Return what a GET requests asks (queue_store.service_requests' criteria), its page and page size."""
    ids = [normalize_number(i) for i in (request.args.get("service_request_id") or "").split(",")]
    ids = [i for i in ids if i]
    if ids:  # the specification: a list of ids overrides every other filter
        return {"numbers": ids[:MAX_PAGE_SIZE]}, 1, MAX_PAGE_SIZE
    criteria: dict = {"district": _jurisdiction()}
    codes = [c.strip() for c in (request.args.get("service_code") or "").split(",") if c.strip()]
    if codes:
        criteria["categories"] = codes
    statuses = {s.strip() for s in (request.args.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise BadRequest("status must be open, closed, or both separated by a comma.")
    if len(statuses) == 1:
        criteria["closed"] = statuses == {"closed"}
    criteria["start"], criteria["end"] = period()
    return criteria, _whole("page", 1, 1, 100000), _whole("page_size", 50, 1, MAX_PAGE_SIZE)


def period() -> tuple[datetime, datetime]:
    """Return start_date and end_date: at most 90 days apart, the last 90 days by default."""
    start, end = _when("start_date"), _when("end_date")
    if start and end and start > end:
        raise BadRequest("start_date is after end_date.")
    if start and end and end - start > WINDOW:
        raise BadRequest("start_date and end_date may be at most 90 days apart.")
    end = end or (start + WINDOW if start else datetime.now(UTC))
    return start or end - WINDOW, end


@open311.get(f"/requests.{FORMAT}")
def get_requests(fmt: str):
    """Service requests, newest first: by ids, or by service, status and period (90 days at most)."""
    criteria, page, size = query()
    found = queue_store.service_requests(mongo.database(), **criteria, skip=(page - 1) * size, limit=size)
    extensions = _extensions()
    return respond("service_requests", [service_request(c, extensions=extensions) for c in found])


@open311.get(f"/requests/<service_request_id>.{FORMAT}")
def get_request(service_request_id: str, fmt: str):
    """One service request, as a list of one (as the specification answers)."""
    complaint = store.find_by_number(mongo.database(), normalize_number(service_request_id))
    if complaint is None:
        raise NotFound(f"No service request has the id {service_request_id!r}.")
    return respond("service_requests", [service_request(complaint, extensions=_extensions())])


def update_entries(complaint: dict, start: datetime, end: datetime) -> list[dict]:
    """Return the complaint's timeline entries in the period as Open311 service request updates."""
    return [
        {
            "update_id": f"{complaint['_id']}-{index}",
            "service_request_id": complaint["_id"],
            "status": "closed" if entry["status"] in rules.PUBLICLY_CLOSED else "open",
            "updated_datetime": views.time_text(entry["at"]),
            "description": public_note(complaint, entry),
            "media_url": None,
            "extended_status": entry["status"],
        }
        for index, entry in enumerate(complaint.get("timeline", []))
        if start <= entry["at"] <= end
    ]


@open311.get(f"/servicerequestupdates.{FORMAT}")
def get_updates(fmt: str):
    """The extension's service request updates: every status change in a period, oldest first.

    start_date and end_date work as for requests (90 days at most, the last 90 days by default).
    """
    start, end = period()
    page, size = _whole("page", 1, 1, 100000), _whole("page_size", 50, 1, MAX_PAGE_SIZE)
    changed = queue_store.updated_between(mongo.database(), district=_jurisdiction(), start=start, end=end)
    updates = [u for c in changed for u in update_entries(c, start, end)]
    updates.sort(key=lambda u: (u["updated_datetime"], u["update_id"]))
    return respond("service_request_updates", updates[(page - 1) * size : page * size])
