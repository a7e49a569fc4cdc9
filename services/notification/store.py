"""Notification's collections: whom to write to, and one delivery per event, template and recipient."""

from __future__ import annotations

import hashlib
from datetime import datetime

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import mongo, outbox
from common.envelope import utcnow

DELIVERIES = "notification_deliveries"
RECENT = "notification_recent"  # per address (its hash): when it was last sent emails
CONTACTS = "notification_complaints"
STAFF = "notification_staff"
OUTBOX = outbox.Outbox(DELIVERIES)


def ensure_indexes(db: Database) -> None:
    """Create notification's indexes."""
    outbox.ensure_indexes(db, OUTBOX)
    db[STAFF].create_index([("districts", ASCENDING), ("role", ASCENDING)])


def recipient_hash(recipient: str) -> str:
    """Return the key of an address (the deliveries keep no address in clear)."""
    return hashlib.sha256(recipient.strip().casefold().encode()).hexdigest()[:24]


def delivery_key(event_id: str, template: str, recipient: str) -> str:
    """Return the unique key of one email: the same event never mails the same person twice."""
    return f"{event_id}:{template}:{recipient_hash(recipient)}"


def remember_complaint(db: Database, number: str, contact: dict) -> dict:
    """Keep what emails about a complaint need (the citizen's address and language, its names);
    return the contact as kept (an earlier one stays: a placement may have moved it since).

    FerretDB leaves out the null fields of a `$setOnInsert` upsert: read optional ones with `get`.
    """
    return mongo.upsert(
        lambda: db[CONTACTS].find_one_and_update(
            {"_id": number}, {"$setOnInsert": contact}, upsert=True, return_document=ReturnDocument.AFTER
        )
    )


def place_complaint(db: Database, number: str, district: str, names: dict, at: datetime) -> dict:
    """Move a complaint's contact to the district it was placed in, unless a later placement is known."""
    db[CONTACTS].update_one(
        {"_id": number, "$or": [{"placed_at": {"$exists": False}}, {"placed_at": {"$lt": at}}]},
        {"$set": {"district": district, "district_name": names, "placed_at": at}},
    )
    return db[CONTACTS].find_one({"_id": number})


def forget_citizen(db: Database, number: str) -> None:
    """Remove the citizen's address and name from a complaint's contact."""
    db[CONTACTS].update_one({"_id": number}, {"$set": {"email": None, "name": None}})


def find_complaint(db: Database, number: str) -> dict | None:
    """Return a complaint's contact, or None when its submission has not been seen yet."""
    return db[CONTACTS].find_one({"_id": number})


def remember_staff(db: Database, member: dict, at: datetime) -> None:
    """Keep a staff member's role, districts and address, unless a newer change is known."""
    current = db[STAFF].find_one({"_id": member["username"]}, {"changed_at": 1})
    if current is not None and current["changed_at"] >= at:
        return
    document = {**member, "changed_at": at}
    mongo.upsert(lambda: db[STAFF].replace_one({"_id": member["username"]}, document, upsert=True))


def staff_of(db: Database, district: str, roles: tuple[str, ...]) -> list[dict]:
    """Return the active members with an address who work for the district in one of the roles."""
    return [
        m
        for m in db[STAFF].find({"role": {"$in": list(roles)}, "active": True})
        if m.get("email") and (district in m["districts"] or "*" in m["districts"])
    ]


def sent_since(db: Database, recipient: str, since: datetime) -> list[datetime]:
    """Return when emails went to this address since then (one read by _id, whatever the history)."""
    recent = db[RECENT].find_one({"_id": recipient_hash(recipient)}) or {}
    return [at for at in recent.get("sent", []) if at >= since]


def note_sent(db: Database, recipient: str, earlier: list[datetime], at: datetime) -> None:
    """Remember that an email went to this address now, beside the recent ones still counted.

    Two workers sending to one address at once may each miss the other's: the cap is then one
    email looser, never stricter.
    """
    document = {"_id": recipient_hash(recipient), "sent": [*earlier, at]}
    mongo.upsert(lambda: db[RECENT].replace_one({"_id": document["_id"]}, document, upsert=True))


def record_intent(db: Database, *, key: str, number: str, template: str, recipient: str, role: str) -> dict:
    """Record that an email is about to be sent; return the delivery as it stands."""
    try:
        document = {
            "_id": key,
            "number": number,
            "template": template,
            "recipient_hash": recipient_hash(recipient),
            "recipient_role": role,
            "status": "sending",
            "attempts": 0,
            "created_at": utcnow(),
        }
        db[DELIVERIES].insert_one(document)
        return document
    except DuplicateKeyError:
        return db[DELIVERIES].find_one({"_id": key})


def mark_attempt(db: Database, key: str) -> None:
    """Count an attempt to send that failed for now."""
    db[DELIVERIES].update_one({"_id": key}, {"$inc": {"attempts": 1}, "$set": {"last_attempt_at": utcnow()}})


def mark_done(
    db: Database, key: str, *, status: str, events: list[dict], error: str | None = None, attempted: bool
) -> None:
    """Record the outcome of a delivery (and its last attempt) with the event that reports it."""
    now = utcnow()
    update: dict = {"$set": {"status": status, "done_at": now, **outbox.stage(db, OUTBOX, key, events)}}
    if error:
        update["$set"]["error"] = error
    if attempted:
        update["$set"]["last_attempt_at"] = now
        update["$inc"] = {"attempts": 1}
    db[DELIVERIES].update_one({"_id": key}, update)
