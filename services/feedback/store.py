"""Feedback's read model: one line per complaint, without personal data, for the figures."""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.database import Database

from common import outbox

COMPLAINTS = "feedback_complaints"
OUTBOX = outbox.Outbox(COMPLAINTS)


def ensure_indexes(db: Database) -> None:
    """Create feedback's indexes."""
    db[COMPLAINTS].create_index([("outbox_pending", ASCENDING)], sparse=True)
    db[COMPLAINTS].create_index([("district", ASCENDING), ("category", ASCENDING), ("month", ASCENDING)])


def record_submission(db: Database, *, number: str, facts: dict) -> None:
    """Count a submitted complaint once, whatever the redeliveries."""
    db[COMPLAINTS].update_one({"_id": number}, {"$setOnInsert": facts}, upsert=True)


def received_by_month(db: Database, match: dict) -> list[dict]:
    """Return the number of complaints received per month among those matching."""
    pipeline = [
        {"$match": match},
        {"$group": {"_id": "$month", "received": {"$sum": 1}}},
        {"$sort": {"_id": 1}},
    ]
    return [{"month": row["_id"], "received": row["received"]} for row in db[COMPLAINTS].aggregate(pipeline)]
