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


def save(db: Database, number: str, changes: dict) -> None:
    """Set fields of a complaint's record, creating it when needed (the caller holds its lock)."""
    db[COMPLAINTS].update_one({"_id": number}, {"$set": changes}, upsert=True)


def clear_pending(db: Database, number: str) -> None:
    """Forget the operations of a complaint once every one of them is applied."""
    db[COMPLAINTS].update_one({"_id": number}, {"$unset": {"pending": ""}})


def apply_operation(db: Database, operation: dict) -> None:
    """Add an operation's counters to its cell, unless the cell has already applied it."""
    cell = operation["cell"]
    with locks.locked(db, f"{CELLS}:{cell}"):
        found = db[CELLS].find_one({"_id": cell}, {"ops": 1})
        if found is not None and operation["id"] in found.get("ops", {}):
            return
        db[CELLS].update_one(
            {"_id": cell},
            {
                "$inc": {f"n.{key.replace(':', '.')}": value for key, value in operation["inc"].items()},
                "$set": {
                    "district": operation["district"],
                    "category": operation["category"],
                    "month": operation["month"],
                    f"ops.{operation['id']}": utcnow(),
                },
            },
            upsert=True,
        )


def forget_operation(db: Database, operation: dict) -> None:
    """Drop a cell's memory of an operation the complaint no longer holds."""
    with locks.locked(db, f"{CELLS}:{operation['cell']}"):
        db[CELLS].update_one({"_id": operation["cell"]}, {"$unset": {f"ops.{operation['id']}": ""}})


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
    keep = [cell["_id"] for cell in cells]
    db[CELLS].delete_many({"_id": {"$nin": keep}})
