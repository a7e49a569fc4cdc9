"""The public reports' reads: the complaints whose citizens consented to publish them, newest first.

A listing is read in parts, one per status it asks, each paged and counted from an index that leads
with `publish` (store.QUEUE_INDEXES: with the status, in a district, of a category), and the pages
merged as the queue merges its own (queue_store.page). A map's box is one filter, read from the
index of `publish` and the grid cell (common/geo.py) by the cells the box covers.
"""

from __future__ import annotations

from pymongo.database import Database

from services.tracking import queue_store
from services.tracking.model import Complaint
from services.tracking.store import COMPLAINTS

# What a report shows, and what decides whether it may be shown: never the citizen, the internal
# notes, the audit trail, remarks, ratings or followers.
PROJECTION = dict.fromkeys(
    (
        "kind",
        "category",
        "category_name",
        "district",
        "status",
        "submitted_at",
        "updated_at",
        "subject",
        "description",
        "address",
        "location",
        "timeline",
        "documents",
        "publish",
        "anonymised_at",
    ),
    1,
)


def _where(district: str | None, category: str | None) -> dict:
    return {
        "publish": True,
        **({"district": district} if district else {}),
        **({"category": category} if category else {}),
    }


def parts(*, statuses: tuple[str, ...], district: str | None, category: str | None) -> list[dict]:
    """Return the filters of the published complaints of these statuses, one per status."""
    return [{**_where(district, category), "status": status} for status in statuses]


def in_cells(
    cells: list[str], *, statuses: tuple[str, ...] | None, district: str | None, category: str | None
) -> list[dict]:
    """Return the filter of the published complaints whose point is in these cells (of these statuses)."""
    found = {**_where(district, category), "cell": {"$in": cells}}
    if statuses:
        found["status"] = {"$in": list(statuses)}
    return [found]


def page(db: Database, matches: list[dict], *, skip: int, limit: int) -> list[Complaint]:
    """Return a page of the complaints of filters that no complaint meets two of, newest first."""
    return queue_store.page(db, matches, skip=skip, limit=limit, projection=PROJECTION)


def count(db: Database, matches: list[dict], *, limit: int = 0) -> int:
    """Return how many complaints the filters hold (each counted up to `limit`, when given)."""
    return sum(queue_store.count(db, found, limit=limit) for found in matches)


def find(db: Database, number: str) -> Complaint | None:
    """Return a complaint as a report reads it, or None."""
    return db[COMPLAINTS].find_one({"_id": number}, PROJECTION)
