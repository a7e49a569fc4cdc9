"""Feedback's read model, without personal data.

`feedback_complaints` holds what each complaint contributes to the figures (its
facts and the counters it has added), and `feedback_cells` the counters of each
district, category and month of submission. A change of a complaint's facts
adds the difference of its contribution to its cell, as an operation that is
applied exactly once: it is recorded on the complaint before it is applied,
and the cell remembers the operations it has applied until the complaint no
longer holds them.
"""

from __future__ import annotations

from collections.abc import Iterator

from pymongo import ASCENDING
from pymongo.database import Database

from common import locks
from common.envelope import utcnow

COMPLAINTS = "feedback_complaints"
CELLS = "feedback_cells"
REBUILD_LOCK = "feedback:rebuild"
# The rebuild renews its lock as it goes; a lock older than this belongs to a rebuild that stopped.
REBUILD_LEASE = 60.0


def ensure_indexes(db: Database) -> None:
    """Create feedback's indexes."""
    db[COMPLAINTS].create_index([("pending", ASCENDING)], sparse=True)
    db[CELLS].create_index([("month", ASCENDING), ("district", ASCENDING), ("category", ASCENDING)])


def guard(db: Database, number: str):
    """Return the lock every writer of a complaint's contribution holds."""
    return locks.locked(db, f"{COMPLAINTS}:{number}")


def find(db: Database, number: str) -> dict | None:
    """Return a complaint's facts and contribution, or None."""
    return db[COMPLAINTS].find_one({"_id": number})


def put(db: Database, record: dict) -> None:
    """Write a complaint's whole record, as read and changed under its lock."""
    db[COMPLAINTS].replace_one({"_id": record["_id"]}, record, upsert=True)


def _add(counters: dict, key: str, value: int) -> None:
    *parents, leaf = key.split(":")
    for parent in parents:
        counters = counters.setdefault(parent, {})
    counters[leaf] = counters.get(leaf, 0) + value


def apply_operation(db: Database, operation: dict) -> None:
    """Add an operation's counters to its cell, unless the cell has already applied it."""
    with locks.locked(db, f"{CELLS}:{operation['cell']}"):
        cell = db[CELLS].find_one({"_id": operation["cell"]}) or {
            "_id": operation["cell"],
            "district": operation["district"],
            "category": operation["category"],
            "month": operation["month"],
            "n": {},
            "ops": {},
        }
        if operation["id"] in cell.get("ops", {}):
            return
        for key, value in operation["inc"].items():
            _add(cell["n"], key, value)
        cell.setdefault("ops", {})[operation["id"]] = utcnow()
        db[CELLS].replace_one({"_id": cell["_id"]}, cell, upsert=True)


def forget_operation(db: Database, operation: dict) -> None:
    """Drop a cell's memory of an operation the complaint no longer holds."""
    with locks.locked(db, f"{CELLS}:{operation['cell']}"):
        cell = db[CELLS].find_one({"_id": operation["cell"]})
        if cell is not None and cell.get("ops", {}).pop(operation["id"], None) is not None:
            db[CELLS].replace_one({"_id": cell["_id"]}, cell, upsert=True)


def cell_document(cell: str, counters: dict) -> dict:
    """Return a cell's document holding these counters (a rebuild)."""
    district, category, month = cell.split("|")
    nested: dict = {}
    for key, value in counters.items():
        _add(nested, key, value)
    return {"_id": cell, "district": district, "category": category, "month": month, "n": nested, "ops": {}}


def with_pending(db: Database) -> list[str]:
    """Return the complaints whose operations were left unfinished (a process stopped midway)."""
    return [doc["_id"] for doc in db[COMPLAINTS].find({"pending": {"$exists": True}}, {"_id": 1})]


def cells(db: Database, match: dict) -> Iterator[dict]:
    """Return the counters of the cells matching."""
    return db[CELLS].find(match, {"month": 1, "n": 1, "_id": 0})


def rebuilding(db: Database) -> bool:
    """Return whether a rebuild of the read model is under way."""
    return locks.held_recently(db, REBUILD_LOCK, REBUILD_LEASE)


def replace_cells(db: Database, cells: list[dict]) -> None:
    """Make these the only cells (a rebuild)."""
    for cell in cells:
        db[CELLS].replace_one({"_id": cell["_id"]}, cell, upsert=True)
    db[CELLS].delete_many({"_id": {"$nin": [cell["_id"] for cell in cells]}})
