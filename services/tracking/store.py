"""Tracking's complaints: each one's living record, read by number and changed under its lock.

The only place, with the other `*_store.py` modules, that speaks the store's query language: the
rest of the service gives plain values (model.Changes) and calls functions named by what they do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import outbox
from common.envelope import utcnow
from common.errors import NotFound
from common.vocabulary import Status
from services.tracking import alerts_store, nearby, nearby_store, search, search_store, staff_store
from services.tracking.model import Changes, Complaint

COMPLAINTS = "tracking_complaints"
EXPORTS = "tracking_exports"
READS = "tracking_reads"
# The numbers of the complaints not closed yet: what the periodic jobs read, rather than the history.
OPEN = "tracking_open"
# Who follows what: one document per address (its digest) and complaint, written before the
# complaint's follower and removed after it, so that it lists every complaint an address follows
# (and perhaps one it no longer does): what an erasure and an export read, and the pending
# requests to follow that expire.
FOLLOWS = "tracking_follows"
OPEN_COMPLETE = "#complete"  # the marker that every complaint recorded before this collection is in it
# The marker that the complaints assigned before `agent` existed have it (kept with the one above).
AGENTS_COMPLETE = "#agents"
# Staff and citizens change a complaint concurrently: its writers hold its lock.
OUTBOX = outbox.Outbox(COMPLAINTS, locked=True)
# What a complaint is searched by: when an update changes it, its words are indexed again.
SEARCHED = {"subject", "address", "district"}
# What lists never need: the outbox, the audit trail, the citizen's contact.
SUMMARY_EXCLUDE = {"outbox": 0, "audit": 0, "description": 0, "timeline": 0, "documents": 0, "remarks": 0}
EXPORTED = {**SUMMARY_EXCLUDE, "notes": 0}  # what an export reads


NEWEST_FIRST = [("submitted_at", DESCENDING), ("_id", ASCENDING)]
# The listings' and jobs' indexes: each reads a page of its filter newest first, and counts it,
# from the index alone (on MongoDB, and on the embedded store: launcher/ferretdb/).
QUEUE_INDEXES = (
    NEWEST_FIRST,  # every complaint; Open311's periods
    [("district", ASCENDING), *NEWEST_FIRST],
    [("district", ASCENDING), ("status", ASCENDING), *NEWEST_FIRST],
    [("status", ASCENDING), *NEWEST_FIRST],
    [("category", ASCENDING), *NEWEST_FIRST],
    # Assigned to me: the agent's complaints, in one of their districts or in every district.
    [("agent", ASCENDING), ("district", ASCENDING), *NEWEST_FIRST],
    [("agent", ASCENDING), *NEWEST_FIRST],
    # Overdue: the deadlines passed, in every district and in one.
    [("status", ASCENDING), ("ack_due", ASCENDING)],
    [("status", ASCENDING), ("answer_due", ASCENDING)],
    [("district", ASCENDING), ("status", ASCENDING), ("ack_due", ASCENDING)],
    [("district", ASCENDING), ("status", ASCENDING), ("answer_due", ASCENDING)],
    [("updated_at", ASCENDING)],  # Open311's service request updates of a period
    [("status", ASCENDING), ("anonymised_at", ASCENDING), ("closed_at", ASCENDING)],  # retention
    [("email_key", ASCENDING)],  # a citizen's complaints, for an administrator
    *nearby_store.INDEXES,  # the open complaints near a point or at an address: already reported
    # The public reports (reports_store): the published ones of a status, in a district or of a
    # category, newest first; and those in a map's box, by its grid cells.
    [("publish", ASCENDING), ("status", ASCENDING), *NEWEST_FIRST],
    [("publish", ASCENDING), ("district", ASCENDING), ("status", ASCENDING), *NEWEST_FIRST],
    [("publish", ASCENDING), ("category", ASCENDING), ("status", ASCENDING), *NEWEST_FIRST],
    [("publish", ASCENDING), ("cell", ASCENDING), *NEWEST_FIRST],
    # The staff's map: a district's complaints without a point (no cell), counted apart.
    [("district", ASCENDING), ("cell", ASCENDING)],
)
# Indexes that earlier versions created and the ones above replace.
REPLACED_INDEXES = ("district_1_status_1_submitted_at_-1",)
# A change of one complaint: given it as it is now and the time, what to write (nothing: {}).
Change = Callable[[Complaint, datetime], Changes]
# A change of several complaints at once: given each as it is now, the changes of each, in the
# order they are to be written.
ChangeOfMany = Callable[[dict[str, Complaint], datetime], dict[str, Changes]]


def ensure_indexes(db: Database) -> None:
    """Create tracking's indexes."""
    complaints = db[COMPLAINTS]
    outbox.ensure_indexes(db, OUTBOX)
    outbox.ensure_indexes(db, staff_store.STAFF_OUTBOX)
    existing = set(complaints.index_information())
    for name in REPLACED_INDEXES:
        if name in existing:
            complaints.drop_index(name)
    for keys in QUEUE_INDEXES:
        complaints.create_index(keys)
    search.ensure_indexes(db)
    alerts_store.ensure_indexes(db)
    db[FOLLOWS].create_index([("key", ASCENDING)])
    db[FOLLOWS].create_index([("pending_until", ASCENDING)])


def record_submission(db: Database, *, document: Complaint) -> bool:
    """Insert a newly submitted complaint; return False when it was already recorded."""
    note_open(db, document["_id"])
    try:
        db[COMPLAINTS].insert_one(document)
        recorded = True
    except DuplicateKeyError:
        recorded = False
    search.index(db, [document])  # also when redelivered: its words may not all have been written
    return recorded


def find_by_number(
    db: Database, number: str, *, with_audit: bool = False, fields: tuple[str, ...] = ()
) -> Complaint | None:
    """Return the complaint with this number (only these fields, when named), or None."""
    if fields:
        return db[COMPLAINTS].find_one({"_id": number}, dict.fromkeys(fields, 1))
    projection = {"outbox": 0} if with_audit else {"outbox": 0, "audit": 0}
    return db[COMPLAINTS].find_one({"_id": number}, projection)


def update(db: Database, number: str, update: dict) -> None:
    """Apply an update in the store's own terms to a complaint (the caller holds the complaint's lock)."""
    db[COMPLAINTS].update_one({"_id": number}, update)
    if SEARCHED & set(update.get("$set", {})):
        search_store.refresh(db, db[COMPLAINTS].find_one({"_id": number}, search.PROJECTION))


def _update(changes: Changes, also: dict) -> dict:
    """Return the store's update of plain changes, with these fields set as well."""
    update: dict = {}
    if fields := {**changes.get("set", {}), **also}:
        update["$set"] = fields
    if changes.get("remove"):
        update["$unset"] = dict.fromkeys(changes["remove"], "")
    if appended := {key: items for key, items in changes.get("append", {}).items() if items}:
        update["$push"] = {
            key: items[0] if len(items) == 1 else {"$each": list(items)} for key, items in appended.items()
        }
    return update


def apply(db: Database, number: str, change: Change, *, touch: bool = True) -> Complaint:
    """Apply a change to the complaint as it is now, holding its lock; return it after."""
    return apply_together(db, [number], lambda found, now: {number: change(found[number], now)}, touch=touch)[
        number
    ]


def apply_together(
    db: Database, numbers: list[str], change: ChangeOfMany, *, touch: bool = True
) -> dict[str, Complaint]:
    """Apply a change to several complaints as they are now, holding all their locks; return them after.

    The locks are taken in the numbers' order, whatever the caller's: two changes of the same
    complaints in opposite directions (merge A into B, and B into A) wait for each other rather
    than each holding one lock forever, and the second sees what the first wrote. Each change and
    its events are one write (the events in the complaint's outbox), published once all are written.
    """
    with ExitStack() as held:
        for number in sorted(set(numbers)):
            held.enter_context(OUTBOX.guard(db, number))
        found = {number: find_by_number(db, number) for number in numbers}
        if any(complaint is None for complaint in found.values()):
            raise NotFound("No such complaint.")
        now = utcnow()
        written = {}
        for number, changes in change(found, now).items():
            new_events = changes.get("events") or []
            if not any(changes.get(key) for key in ("set", "append", "remove")) and not new_events:
                continue
            fields = {"updated_at": now} if touch else {}
            if new_events:
                fields.update(outbox.stage(db, OUTBOX, number, new_events))
            update(db, number, _update(changes, fields))
            if changes.get("set", {}).get("status") == Status.CLOSED:
                forget_open(db, number)
            written[number] = new_events
    for number, new_events in written.items():
        if new_events:
            outbox.publish_now(db, OUTBOX, number, new_events)
    return {number: find_by_number(db, number) if number in written else found[number] for number in numbers}


def append_audit(db: Database, number: str, entry: dict) -> None:
    """Add an entry to a complaint's audit trail (reads by staff, which change nothing else)."""
    with OUTBOX.guard(db, number):
        db[COMPLAINTS].update_one({"_id": number}, {"$push": {"audit": entry}})


def nearby_complaints(db: Database, **where) -> list[dict]:
    """Return the open complaints of a category near a point or at an address (services.tracking.nearby)."""
    return nearby.find(db, COMPLAINTS, **where)


def find_many(db: Database, numbers: list[str], fields: tuple[str, ...]) -> dict[str, Complaint]:
    """Return these fields of the complaints with these numbers, by number (those that exist)."""
    if not numbers:
        return {}
    found = db[COMPLAINTS].find({"_id": {"$in": list(numbers)}}, dict.fromkeys(fields, 1))
    return {complaint["_id"]: complaint for complaint in found}


def find_by_email_key(db: Database, email_key: str) -> list[Complaint]:
    """Return every complaint of one citizen, by their normalised email."""
    if not email_key:
        return []
    return list(
        db[COMPLAINTS].find({"email_key": email_key}, {"outbox": 0, "audit": 0}).sort("submitted_at", 1)
    )


def closed_before(db: Database, horizon: datetime, limit: int = 500) -> list[Complaint]:
    """Return complaints closed before the horizon and not anonymised yet (the retention's index)."""
    match = {"status": Status.CLOSED, "anonymised_at": None, "closed_at": {"$lt": horizon}}
    return list(db[COMPLAINTS].find(match, {"outbox": 0, "audit": 0}).limit(limit))


def note_open(db: Database, number: str) -> None:
    """Note a complaint as open (before it is written: a note without its complaint is dropped)."""
    try:
        db[OPEN].insert_one({"_id": number})
    except DuplicateKeyError:
        pass


def forget_open(db: Database, number: str) -> None:
    """Forget a closed complaint from the open ones."""
    db[OPEN].delete_one({"_id": number})


def open_complaints(db: Database) -> Iterator[Complaint]:
    """Yield the complaints not closed yet, each read by _id; drop the notes of closed ones."""
    for note in list(db[OPEN].find({}, {"_id": 1})):
        if note["_id"] in (OPEN_COMPLETE, AGENTS_COMPLETE):
            continue
        complaint = db[COMPLAINTS].find_one({"_id": note["_id"]}, {"outbox": 0, "audit": 0})
        if complaint is None or complaint["status"] == Status.CLOSED:
            forget_open(db, note["_id"])
        else:
            yield complaint


def complete_search(db: Database) -> None:
    """Index the words of the complaints recorded before the search existed (once)."""
    search.complete(db, COMPLAINTS)


def complete_open(db: Database) -> None:
    """Note as open the complaints recorded before the notes existed (once, at the first start)."""
    if db[OPEN].find_one({"_id": OPEN_COMPLETE}) is not None:
        return
    for complaint in db[COMPLAINTS].find({"status": {"$ne": Status.CLOSED}}, {"_id": 1}):
        note_open(db, complaint["_id"])
    note_open(db, OPEN_COMPLETE)


def complete_agents(db: Database) -> None:
    """Copy the assigned agent to the complaint's top level, where the queue's index finds it (once).

    Complaints assigned before "assigned to me" existed have their agent in `assignment` only.
    """
    if db[OPEN].find_one({"_id": AGENTS_COMPLETE}) is not None:
        return
    found = db[COMPLAINTS].find(
        {"assignment.agent": {"$type": "string"}, "agent": {"$exists": False}}, {"_id": 1}
    )
    for complaint in list(found):
        with OUTBOX.guard(db, complaint["_id"]):
            current = db[COMPLAINTS].find_one({"_id": complaint["_id"]}, {"assignment": 1})
            agent = (current.get("assignment") or {}).get("agent")
            db[COMPLAINTS].update_one({"_id": complaint["_id"]}, {"$set": {"agent": agent}})
    note_open(db, AGENTS_COMPLETE)


def log_read(db: Database, entry: dict) -> None:
    """Keep which complaints' citizens a staff member saw listed (the queue shows their names)."""
    db[READS].insert_one(entry)


def log_export(db: Database, entry: dict) -> None:
    """Keep who exported the citizens' personal data, when, and with which filters."""
    db[EXPORTS].insert_one(entry)


def note_follow(db: Database, key: str, number: str, pending_until: datetime | None) -> None:
    """Note that an address follows a complaint, or asked to until `pending_until` (before writing it)."""
    db[FOLLOWS].update_one(
        {"_id": f"{key}:{number}"},
        {"$set": {"key": key, "number": number, "pending_until": pending_until}},
        upsert=True,
    )


def forget_follow(db: Database, key: str, number: str) -> None:
    """Forget that an address follows a complaint (after removing it from the complaint)."""
    db[FOLLOWS].delete_one({"_id": f"{key}:{number}"})


def follows_of(db: Database, key: str) -> list[str]:
    """Return the numbers of the complaints an address follows or asked to follow (perhaps more)."""
    return [f["number"] for f in db[FOLLOWS].find({"key": key}, {"number": 1})]


def expired_follows(db: Database, now: datetime, limit: int = 500) -> list[dict]:
    """Return requests to follow whose time to confirm has passed."""
    return list(db[FOLLOWS].find({"pending_until": {"$lt": now}}).limit(limit))
