"""The reads of complaints already reported: the open ones of a category in grid cells, or at an address."""

from __future__ import annotations

from collections.abc import Iterable

from pymongo import ASCENDING
from pymongo.database import Database

from common.vocabulary import OPEN_STATUSES

INDEXES = (
    [("cell", ASCENDING), ("category", ASCENDING), ("status", ASCENDING)],
    [("address_key", ASCENDING), ("district", ASCENDING), ("category", ASCENDING), ("status", ASCENDING)],
)
PROJECTION = {
    "_id": 1,
    "category": 1,
    "district": 1,
    "subject": 1,
    "status": 1,
    "submitted_at": 1,
    "location": 1,
    "address_key": 1,
    "publish": 1,
    "anonymised_at": 1,
}


def open_in_cells(db: Database, collection: str, *, cells: list[str], category: str) -> Iterable[dict]:
    """Return the open complaints of the category whose point is in one of these grid cells (an index)."""
    match = {"cell": {"$in": cells}, "category": category, "status": {"$in": list(OPEN_STATUSES)}}
    return db[collection].find(match, PROJECTION)


def open_at_address(
    db: Database, collection: str, *, address_key: str, district: str, category: str
) -> Iterable[dict]:
    """Return the open complaints of the category at this folded address in the district (an index)."""
    match = {
        "address_key": address_key,
        "district": district,
        "category": category,
        "status": {"$in": list(OPEN_STATUSES)},
    }
    return db[collection].find(match, PROJECTION)
