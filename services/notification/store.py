"""Notification's collection: one delivery per event, template and recipient."""

from __future__ import annotations

import hashlib

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import outbox
from common.envelope import utcnow

DELIVERIES = "notification_deliveries"
OUTBOX = outbox.Outbox(DELIVERIES)


def ensure_indexes(db: Database) -> None:
    """Create notification's indexes."""
    db[DELIVERIES].create_index([("outbox_pending", ASCENDING)], sparse=True)
    db[DELIVERIES].create_index([("number", ASCENDING)])


def delivery_key(event_id: str, template: str, recipient: str) -> str:
    """Return the unique key of one email: the same event never mails the same person twice."""
    digest = hashlib.sha256(recipient.strip().casefold().encode()).hexdigest()[:24]
    return f"{event_id}:{template}:{digest}"


def record_intent(db: Database, *, key: str, number: str, template: str) -> dict:
    """Record that an email is about to be sent; return the delivery as it stands."""
    try:
        document = {
            "_id": key,
            "number": number,
            "template": template,
            "status": "sending",
            "attempts": 0,
            "created_at": utcnow(),
        }
        db[DELIVERIES].insert_one(document)
        return document
    except DuplicateKeyError:
        return db[DELIVERIES].find_one({"_id": key})


def mark_attempt(db: Database, key: str) -> None:
    """Count an attempt to send."""
    db[DELIVERIES].update_one({"_id": key}, {"$inc": {"attempts": 1}, "$set": {"last_attempt_at": utcnow()}})


def mark_done(db: Database, key: str, *, status: str, events: list[dict], error: str | None = None) -> None:
    """Record the outcome of a delivery with the event that reports it."""
    update = {"status": status, "done_at": utcnow(), **outbox.fields(events)}
    if error:
        update["error"] = error
    db[DELIVERIES].update_one({"_id": key}, {"$set": update})
