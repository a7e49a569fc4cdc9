"""The staff queue: the complaints a member may list, filtered, searched, paged, exported, and mapped."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pymongo.database import Database

from common import tokens
from common.envelope import utcnow
from common.vocabulary import Role
from services.tracking import grid, queue_store, rules, search, search_store, staff_store, store, views
from services.tracking.model import Complaint, audit_entry


def _criteria(claims: dict, query: dict) -> dict | None:
    """Return what the queue's filters ask within the member's districts (None: nothing)."""
    criteria: dict = {}
    if query.get("unplaced"):  # Open311 requests waiting for a district: the administrators'
        if tokens.ALL_DISTRICTS not in claims["districts"]:
            return None
        criteria["district"] = None
    elif query.get("district"):
        if not tokens.covers_district(claims, query["district"]):
            return None
        criteria["district"] = query["district"]
    elif tokens.ALL_DISTRICTS not in claims["districts"]:
        criteria["districts"] = claims["districts"]
    for key in ("status", "category"):
        if query.get(key):
            criteria[key] = query[key]
    if query.get("assigned") == "me":
        criteria["agent"] = claims["sub"]
    return criteria


def filter_parts(claims: dict, query: dict, now: datetime) -> tuple[list[dict], list[dict], list[dict]]:
    """Return the queue's filter in parts that no complaint is in two of (queue_store.parts).

    What `queue()` reads when there are no words to search: every part, the late ones, and those
    shown, each a filter of the complaints' collection, for a query within the member's districts.
    Public for the tests that check each part is read from an index.
    """
    return queue_store.parts(_criteria(claims, query), now=now, late=query.get("overdue"))


def _agent(complaint: Complaint) -> str | None:
    return (complaint.get("assignment") or {}).get("agent")


def queue(db: Database, claims: dict, query: dict) -> dict:
    """Return one page of the complaints the member may see, filtered and searched."""
    now = utcnow()
    page, size = query["page"], query["page_size"]
    criteria = _criteria(claims, query)
    searched = search.words(query.get("q"))
    if criteria is None or (query.get("q") and not searched):
        return {"items": [], "total": 0, "total_capped": False, "page": page, "page_size": size}
    if searched:
        match = queue_store.match(criteria, now=now, late=query.get("overdue"))
        numbers, total = search_store.page(
            db, store.COMPLAINTS, searched, match, skip=(page - 1) * size, limit=size
        )
        items = list(queue_store.by_numbers(db, numbers))
    else:
        parts, late, shown = queue_store.parts(criteria, now=now, late=query.get("overdue"))
        total = _count(db, (parts, late, shown), query.get("overdue"))
        items = queue_store.page(db, shown, skip=(page - 1) * size, limit=size)
    if items:  # the queue shows citizens' names: who saw which, as for a complaint's page
        store.log_read(
            db, {"at": now, "by": claims["sub"], "what": "queue", "complaints": [c["_id"] for c in items]}
        )
    names = staff_store.staff_names(db, (_agent(c) for c in items))
    return {
        "items": [views.queue_item(c, now, names) for c in items],
        "total": total,
        "total_capped": bool(searched) and total >= search.COUNTED,
        "page": page,
        "page_size": size,
    }


def _count(db: Database, parts: tuple[list[dict], list[dict], list[dict]], overdue: bool | None) -> int:
    """Return how many complaints the queue's parts (queue_store.parts) show."""
    whole, late, shown = parts
    if overdue is False:  # all of them less the late ones: $nor would read every one
        return sum(queue_store.count(db, m) for m in whole) - sum(queue_store.count(db, m) for m in late)
    return sum(queue_store.count(db, m) for m in shown)


# The staff's map groups this many points at most: the newest of its filters in its box (each one
# read costs the embedded store about a third of a millisecond).
MAP_POINTS = 1000


def map_groups(db: Database, claims: dict, query: dict) -> dict:
    """Return the points of the complaints the queue's filters show, grouped on a grid (grid.groups).

    `total` counts the complaints of the filters, as the queue does, and `unplaced` those of them
    without a point; the groups hold the newest MAP_POINTS of those in the box (`bbox`, else
    anywhere), `shown` of them, and `capped` says whether more were left out. A search (`q`) reads
    its newest MAP_POINTS complaints, and counts `unplaced` among them.
    """
    now, box = utcnow(), query.get("bbox")
    criteria = _criteria(claims, query)
    searched = search.words(query.get("q"))
    if criteria is None or (query.get("q") and not searched):
        return {"groups": [], "total": 0, "unplaced": 0, "shown": 0, "capped": False}
    if searched:  # the queue's search, its first MAP_POINTS complaints
        match = queue_store.match(criteria, now=now, late=query.get("overdue"))
        first = MAP_POINTS + 1
        numbers, total = search_store.page(db, store.COMPLAINTS, searched, match, skip=0, limit=first)
        read = list(queue_store.by_numbers(db, numbers[:MAP_POINTS], queue_store.POINT))
        unplaced, capped = sum(not c.get("location") for c in read), len(numbers) > MAP_POINTS
    else:
        parts = queue_store.parts(criteria, now=now, late=query.get("overdue"))
        total = _count(db, parts, query.get("overdue"))
        unplaced = _count(db, tuple(queue_store.without_point(p) for p in parts), query.get("overdue"))
        read = queue_store.points(db, parts[2], cells=grid.cells(box) if box else None, limit=MAP_POINTS + 1)
        read, capped = read[:MAP_POINTS], len(read) > MAP_POINTS
    shown = [c for c in read if c.get("location") and (box is None or box.holds(c["location"]))]
    points = ((c["_id"], c["location"]["lat"], c["location"]["lon"]) for c in shown)
    return {
        "groups": grid.groups(points, grid.cell_degrees(query["zoom"])),
        "total": total,
        "unplaced": unplaced,
        "shown": len(shown),
        "capped": capped,
    }


EXPORT_TIMES = ("submitted_at", "ack_due", "answer_due", "acknowledged_at", "answered_at", "closed_at")
EXPORT_HEADER = [
    "number",
    "kind",
    "category",
    "district",
    "department",
    "status",
    "subject",
    *EXPORT_TIMES,
    "overdue",
    "reopen_count",
    "agent",
    "satisfaction",
    "outcome",
]
# Only administrators export the citizen's contact.
PERSONAL_HEADER = ["citizen_name", "citizen_email", "citizen_phone", "citizen_language"]


def export(db: Database, claims: dict, query: dict) -> tuple[list[str], Iterator[list]]:
    """Return the header and the lines of the complaints list the member may see, for a spreadsheet.

    The citizen's contact is in it for administrators only, and such an export is logged.
    """
    now = utcnow()
    personal = claims["role"] == Role.ADMIN
    criteria = _criteria(claims, query)
    if personal:
        filters = {key: value for key, value in query.items() if value is not None}
        store.log_export(db, audit_entry(claims, "export", now, personal_data=True, filters=filters))

    searched = search.words(query.get("q"))

    def lines() -> Iterator[list]:
        if criteria is None or (query.get("q") and not searched):
            return
        if searched:
            match = queue_store.match(criteria, now=now, late=query.get("overdue"))
            found = queue_store.exported(db, search_store.matching(db, store.COMPLAINTS, searched, match))
        else:
            found = queue_store.export(db, queue_store.parts(criteria, now=now, late=query.get("overdue"))[2])
        for complaint in found:
            latest = (complaint.get("feedback") or [{}])[-1]
            line = [
                complaint["_id"],
                complaint["kind"],
                complaint["category"],
                complaint["district"],
                complaint.get("department"),
                complaint["status"],
                complaint["subject"],
                *(views.time_text(complaint.get(key)) for key in EXPORT_TIMES),
                rules.is_overdue(complaint, now),
                complaint.get("reopen_count", 0),
                (complaint.get("assignment") or {}).get("agent"),
                latest.get("satisfaction"),
                latest.get("outcome"),
            ]
            if personal:
                citizen = complaint.get("citizen") or {}
                line += [citizen.get(key) for key in ("name", "email", "phone", "language")]
            yield line

    return EXPORT_HEADER + (PERSONAL_HEADER if personal else []), lines()
