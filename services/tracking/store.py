"""Tracking's collection: each complaint's living record, status and timeline."""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

COMPLAINTS = "tracking_complaints"


def ensure_indexes(db: Database) -> None:
    """Create tracking's indexes."""
    db[COMPLAINTS].create_index([("outbox_pending", ASCENDING)], sparse=True)
    db[COMPLAINTS].create_index([("status", ASCENDING), ("district", ASCENDING)])


def record_submission(db: Database, *, document: dict) -> bool:
    """Insert a newly submitted complaint; return False when it was already recorded."""
    try:
        db[COMPLAINTS].insert_one(document)
        return True
    except DuplicateKeyError:
        return False


def find_by_number(db: Database, number: str) -> dict | None:
    """Return the complaint with this number, or None."""
    return db[COMPLAINTS].find_one({"_id": number}, {"outbox": 0})
