"""Notification's collections: whom to write to, and one delivery per event, template and recipient."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import mongo, outbox
from common.envelope import utcnow

DELIVERIES = "notification_deliveries"
RECENT = "notification_recent"  # per address (its hash): the slots of the emails of the last hour
CONTACTS = "notification_complaints"
STAFF = "notification_staff"
OUTBOX = outbox.Outbox(DELIVERIES)
_LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def ensure_indexes(db: Database) -> None:
    """Create notification's indexes."""
    outbox.ensure_indexes(db, OUTBOX)
    db[STAFF].create_index([("districts", ASCENDING), ("role", ASCENDING)])
    db[STAFF].create_index([("role", ASCENDING), ("active", ASCENDING)])  # whom an alert goes to


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


def forget_citizen(db: Database, number: str, *, followers_at: str | None) -> None:
    """Remove the citizen's address and name from a complaint's contact, and its followers' as of
    `followers_at` when given (a follow that happened before it and comes late stays out)."""
    forgotten: dict = {"email": None, "name": None}
    if followers_at:
        forgotten.update(followers={}, followers_removed_at=followers_at)
    db[CONTACTS].update_one({"_id": number}, {"$set": forgotten})


def add_follower(db: Database, number: str, key: str, follower: dict) -> None:
    """Keep a follower's address and language on a complaint's contact (a map keyed by their digest).

    Events may come out of order when one is retried: a follower removed after it followed (a
    later `removed_at`), alone or with every follower of the complaint, is not added back.
    """
    contact = db[CONTACTS].find_one({"_id": number}, {f"followers.{key}": 1, "followers_removed_at": 1}) or {}
    removed = ((contact.get("followers") or {}).get(key) or {}).get("removed_at")
    everyone = contact.get("followers_removed_at")
    if any(at and at >= follower["since"] for at in (removed, everyone)):
        return
    db[CONTACTS].update_one({"_id": number}, {"$set": {f"followers.{key}": follower}})


def remove_follower(db: Database, number: str, key: str, at: str) -> None:
    """Forget a follower who is emailed no more, keeping when (so that a late follow stays removed)."""
    db[CONTACTS].update_one({"_id": number}, {"$set": {f"followers.{key}": {"removed_at": at}}})


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


def slots_id(recipient: str, pool: str) -> str:
    """Return the key of an address's sending slots in a pool ("" for its own emails)."""
    return recipient_hash(recipient) + (f":{pool}" if pool else "")


def take_send_slot(db: Database, recipient: str, key: str, cap: int, now: datetime, pool: str = "") -> bool:
    """Hold one of the address's `cap` sending slots for this delivery; False when all are in use.

    A slot is in use for an hour after the email sent in it, so no address receives more than `cap`
    emails in any hour. Slots are fields `s0`...`s{cap-1}` of one document per address (its hash),
    each taken by a compare-and-set on the key that held it: of workers racing for one slot, one
    wins and the others try the next, so the cap holds exactly under concurrency. A delivery tried
    again (the mail server was down) keeps the slot it holds.

    The emails anyone can cause by asking to follow (a request to confirm, then each step) take
    slots of their own pool: strangers may fill it, never the slots of the address's own emails.
    """
    if cap <= 0:
        return False
    address = slots_id(recipient, pool)
    since = now - timedelta(hours=1)
    while True:
        held = db[RECENT].find_one({"_id": address})
        if held is None:
            try:
                db[RECENT].insert_one({"_id": address, "s0": {"key": key, "at": now}})
                return True
            except DuplicateKeyError:
                continue  # another worker's first email to this address: look again
        slots = [held.get(f"s{i}") for i in range(cap)]
        if any(slot and slot["key"] == key and slot["at"] >= since for slot in slots):
            return True
        free = [i for i, slot in enumerate(slots) if slot is None or slot["at"] < since]
        if not free:
            return False
        for i in free:
            taken = {f"s{i}": {"$exists": False}} if slots[i] is None else {f"s{i}.key": slots[i]["key"]}
            claimed = db[RECENT].update_one(
                {"_id": address, **taken}, {"$set": {f"s{i}": {"key": key, "at": now}}}
            )
            if claimed.modified_count == 1:
                return True
        # Every free slot was taken by another worker meanwhile: look again.


def free_send_slot(db: Database, recipient: str, key: str, cap: int, pool: str = "") -> None:
    """Give back the slot a delivery held when its email was not sent after all."""
    address = slots_id(recipient, pool)
    held = db[RECENT].find_one({"_id": address}) or {}
    for i in range(cap):
        if (held.get(f"s{i}") or {}).get("key") == key:
            db[RECENT].update_one({"_id": address, f"s{i}.key": key}, {"$set": {f"s{i}.at": _LONG_AGO}})


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
