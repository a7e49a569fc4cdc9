"""The listings' reads of complaints: the staff queue (and its export), the overdue ones, Open311's requests.

Each listing has an index that matches its filter and its order (store.QUEUE_INDEXES). A filter
that no one index gives in order (the overdue queue: either of two deadlines passed; the queue of a
member of several districts) is read in parts that no complaint is in two of, each from its own
index, newest first, and the pages merged.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator
from datetime import datetime

from pymongo.database import Database

from services.tracking import rules, search
from services.tracking.model import Complaint
from services.tracking.store import COMPLAINTS, EXPORTED, NEWEST_FIRST, SUMMARY_EXCLUDE

# What Open311 reads of a complaint: its timeline and documents (its photos' copies), never its contact.
SERVICE_REQUEST_EXCLUDE = {"outbox": 0, "audit": 0, "notes": 0, "citizen": 0, "remarks": 0}
# What the staff's map reads of a complaint: its point, and its order.
POINT = {"location": 1, "submitted_at": 1}
# A merged page's parts are read their share of the page at a time (this many at most), not the
# driver's 101 each: the first page of seven parts reads a few more complaints than it shows, not 707.
MERGED_BATCH = 100


def overdue(now: datetime) -> dict:
    """Return the filter of the complaints with a deadline passed unmet (rules.DEADLINES, as a query)."""
    return {
        "$or": [
            {"status": awaited[0] if len(awaited) == 1 else {"$in": list(awaited)}, field: {"$lt": now}}
            for _deadline, field, awaited in rules.DEADLINES
        ]
    }


def match(criteria: dict, *, now: datetime, late: bool | None = None) -> dict:
    """Return the filter of the queue's criteria, and of its overdue ones (late), its others or both (None).

    `criteria` holds fields' values, and `districts` the member's districts, any of which.
    """
    found = {
        "district" if key == "districts" else key: {"$in": value} if key == "districts" else value
        for key, value in criteria.items()
    }
    if late is None:
        return found
    passed = overdue(now)
    return {"$and": [found, passed if late else {"$nor": passed["$or"]}]}


def _by_district(found: dict) -> list[dict]:
    """Return the filter as one filter per district when it names several (a member's districts)."""
    districts = found.get("district")
    if isinstance(districts, dict) and set(districts) == {"$in"} and len(districts["$in"]) > 1:
        return [{**found, "district": district} for district in dict.fromkeys(districts["$in"])]
    return [found]


def parts(criteria: dict, *, now: datetime, late: bool | None) -> tuple[list[dict], list[dict], list[dict]]:
    """Return the queue's filter in parts that no complaint is in two of, each read from its own index.

    Returns the parts without the overdue filter (one per district of the member's), the late ones
    (either deadline passed) among them, and the ones the queue shows.
    """
    whole = _by_district(match(criteria, now=now))
    deadlines = overdue(now)["$or"]
    passed = [{"$and": [part, deadline]} for part in whole for deadline in deadlines]
    if late is None:
        return whole, passed, whole
    if late:
        return whole, passed, passed
    return whole, passed, [{"$and": [part, {"$nor": deadlines}]} for part in whole]


def _newest_first(db: Database, found: dict, projection: dict):
    """Return a cursor over the complaints matching, newest first (the number breaks ties)."""
    return db[COMPLAINTS].find(found, projection).sort(NEWEST_FIRST)


def by_numbers(
    db: Database, numbers: Iterable[str], projection: dict = SUMMARY_EXCLUDE
) -> Iterator[Complaint]:
    """Yield the complaints with these numbers, in the numbers' order (read a batch at a time)."""
    remaining = iter(numbers)
    while batch := list(itertools.islice(remaining, search.BATCH)):
        found = {c["_id"]: c for c in db[COMPLAINTS].find({"_id": {"$in": batch}}, projection)}
        yield from (found[n] for n in batch if n in found)


def page(
    db: Database, matches: list[dict], *, skip: int, limit: int, projection: dict = SUMMARY_EXCLUDE
) -> list[Complaint]:
    """Return one page of the complaints matching one of filters that no complaint meets two of.

    Each is read from its own index, newest first, and the pages merged: the overdue queue (a
    deadline passed, of acknowledgement or of answer) or a member's several districts in one
    filter would have SQLite sort every complaint of them for one page.
    """
    if len(matches) == 1:
        return list(_newest_first(db, matches[0], projection).skip(skip).limit(limit))
    merged = _merged(db, matches, projection, limit=skip + limit)
    return list(itertools.islice(merged, skip, skip + limit))


def _merged(db: Database, matches: list[dict], projection: dict, *, limit: int = 0) -> Iterator[Complaint]:
    """Yield the complaints of filters no complaint meets two of, newest first, each read from its index."""
    streams = [_newest_first(db, found, projection).limit(limit) for found in matches]
    if limit:
        batch = min(-(-limit // len(streams)) + 1, MERGED_BATCH)  # each its share of the page, and one
        streams = [stream.batch_size(batch) for stream in streams]
    return heapq.merge(*streams, key=lambda c: (-c["submitted_at"].timestamp(), c["_id"]))


def count(db: Database, found: dict, *, limit: int = 0) -> int:
    """Return how many complaints match (at most `limit`, when given: the store stops counting there)."""
    # The count command, not count_documents' aggregation: both stores count it from an index.
    return db.command("count", COMPLAINTS, query=found, **({"limit": limit} if limit else {}))["n"]


def points(db: Database, matches: list[dict], *, cells: list[str] | None, limit: int) -> list[Complaint]:
    """Return the points of the newest complaints matching one of the filters (no complaint meets two).

    Only those with a point: in these cells of common/geo.py's grid when given (a map's box), else
    anywhere. Each filter is read newest first from its own index, as `page` reads them.
    """
    where = {"cell": {"$in": cells}} if cells is not None else {"cell": {"$ne": None}}
    placed = [{"$and": [found, where]} for found in matches]
    return list(itertools.islice(_merged(db, placed, POINT, limit=limit), limit))


def without_point(matches: list[dict]) -> list[dict]:
    """Return the filters narrowed to the complaints that have no point (no grid cell)."""
    return [{"$and": [found, {"cell": None}]} for found in matches]


def export(db: Database, matches: list[dict]) -> Iterator[Complaint]:
    """Yield every complaint matching one of filters no complaint meets two of, newest first.

    As `page` reads its parts, each streamed from its own index, for an export.
    """
    return _merged(db, matches, EXPORTED)


def exported(db: Database, numbers: Iterable[str]) -> Iterator[Complaint]:
    """Yield the complaints with these numbers as an export reads them, in the numbers' order."""
    return by_numbers(db, numbers, EXPORTED)


def service_requests(
    db: Database,
    *,
    numbers: list[str] | None = None,
    district: str | None = None,
    categories: list[str] | None = None,
    closed: bool | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    skip: int = 0,
    limit: int = 0,
) -> list[Complaint]:
    """Return complaints as Open311 reads them (no contact), newest first; limit 0: all.

    By their numbers, whatever else is asked; else of a district, of categories, closed or open
    (rules.PUBLICLY_CLOSED), submitted in a period.
    """
    if numbers:
        found: dict = {"_id": {"$in": numbers}}
    else:
        found = {"district": district} if district else {}
        if categories:
            found["category"] = {"$in": categories}
        if closed is not None:
            found["status"] = {"$in" if closed else "$nin": list(rules.PUBLICLY_CLOSED)}
        found["submitted_at"] = {"$gte": start, "$lte": end}
    return list(_newest_first(db, found, SERVICE_REQUEST_EXCLUDE).skip(skip).limit(limit))


def updated_between(db: Database, *, district: str | None, start: datetime, end: datetime) -> list[Complaint]:
    """Return the complaints, as Open311 reads them, submitted by `end` and changed since `start`."""
    found = {
        **({"district": district} if district else {}),
        "updated_at": {"$gte": start},
        "submitted_at": {"$lte": end},
    }
    return list(_newest_first(db, found, SERVICE_REQUEST_EXCLUDE))
