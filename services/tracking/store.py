"""Tracking's collections: each complaint's living record, and the staff accounts."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Iterator
from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import outbox, tokens
from services.tracking import nearby, search

COMPLAINTS = "tracking_complaints"
STAFF = tokens.STAFF_ACCOUNTS  # "tracking_staff"; every service reads it to check staff tokens
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
STAFF_OUTBOX = outbox.Outbox(STAFF, locked=True)
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
    *nearby.INDEXES,  # the open complaints near a point or at an address: already reported
)
# Indexes that earlier versions created and the ones above replace.
REPLACED_INDEXES = ("district_1_status_1_submitted_at_-1",)


def ensure_indexes(db: Database) -> None:
    """Create tracking's indexes."""
    complaints = db[COMPLAINTS]
    outbox.ensure_indexes(db, OUTBOX)
    outbox.ensure_indexes(db, STAFF_OUTBOX)
    existing = set(complaints.index_information())
    for name in REPLACED_INDEXES:
        if name in existing:
            complaints.drop_index(name)
    for keys in QUEUE_INDEXES:
        complaints.create_index(keys)
    search.ensure_indexes(db)
    db[FOLLOWS].create_index([("key", ASCENDING)])
    db[FOLLOWS].create_index([("pending_until", ASCENDING)])


def record_submission(db: Database, *, document: dict) -> bool:
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
) -> dict | None:
    """Return the complaint with this number (only these fields, when named), or None."""
    if fields:
        return db[COMPLAINTS].find_one({"_id": number}, dict.fromkeys(fields, 1))
    projection = {"outbox": 0} if with_audit else {"outbox": 0, "audit": 0}
    return db[COMPLAINTS].find_one({"_id": number}, projection)


def update(db: Database, number: str, update: dict) -> None:
    """Apply an update to a complaint (the caller holds the complaint's lock)."""
    db[COMPLAINTS].update_one({"_id": number}, update)
    if SEARCHED & set(update.get("$set", {})):
        search.refresh(db, db[COMPLAINTS].find_one({"_id": number}, search.PROJECTION))


def append_audit(db: Database, number: str, entry: dict) -> None:
    """Add an entry to a complaint's audit trail (reads by staff, which change nothing else)."""
    with OUTBOX.guard(db, number):
        db[COMPLAINTS].update_one({"_id": number}, {"$push": {"audit": entry}})


def nearby_complaints(db: Database, **where) -> list[dict]:
    """Return the open complaints of a category near a point or at an address (services.tracking.nearby)."""
    return nearby.find(db, COMPLAINTS, **where)


def _newest_first(db: Database, match: dict, projection: dict):
    """Return a cursor over the complaints matching, newest first (the number breaks ties)."""
    return db[COMPLAINTS].find(match, projection).sort(NEWEST_FIRST)


def by_numbers(db: Database, numbers: Iterable[str], projection: dict = SUMMARY_EXCLUDE) -> Iterator[dict]:
    """Yield the complaints with these numbers, in the numbers' order (read a batch at a time)."""
    remaining = iter(numbers)
    while batch := list(itertools.islice(remaining, search.BATCH)):
        found = {c["_id"]: c for c in db[COMPLAINTS].find({"_id": {"$in": batch}}, projection)}
        yield from (found[n] for n in batch if n in found)


def page(db: Database, matches: list[dict], *, skip: int, limit: int) -> list[dict]:
    """Return one page of the complaints matching one of filters that no complaint meets two of.

    Each is read from its own index, newest first, and the pages merged: the overdue queue (a
    deadline passed, of acknowledgement or of answer) or a member's several districts in one
    filter would have SQLite sort every complaint of them for one page.
    """
    if len(matches) == 1:
        return list(_newest_first(db, matches[0], SUMMARY_EXCLUDE).skip(skip).limit(limit))
    merged = _merged(db, matches, SUMMARY_EXCLUDE, limit=skip + limit)
    return list(itertools.islice(merged, skip, skip + limit))


def _merged(db: Database, matches: list[dict], projection: dict, *, limit: int = 0) -> Iterator[dict]:
    """Yield the complaints of filters no complaint meets two of, newest first, each read from its index."""
    streams = [_newest_first(db, match, projection).limit(limit) for match in matches]
    return heapq.merge(*streams, key=lambda c: (-c["submitted_at"].timestamp(), c["_id"]))


def count(db: Database, match: dict) -> int:
    """Return how many complaints match."""
    # The count command, not count_documents' aggregation: both stores count it from an index.
    return db.command("count", COMPLAINTS, query=match)["n"]


def service_requests(db: Database, match: dict, *, skip: int = 0, limit: int = 0) -> list[dict]:
    """Return complaints as Open311 reads them (timeline, no contact), newest first; limit 0: all."""
    projection = {"outbox": 0, "audit": 0, "notes": 0, "citizen": 0, "documents": 0, "remarks": 0}
    return list(_newest_first(db, match, projection).skip(skip).limit(limit))


def export(db: Database, matches: list[dict]) -> Iterator[dict]:
    """Yield every complaint matching one of filters no complaint meets two of, newest first.

    As `page` reads its parts, each streamed from its own index, for an export.
    """
    return _merged(db, matches, EXPORTED)


def log_read(db: Database, entry: dict) -> None:
    """Keep which complaints' citizens a staff member saw listed (the queue shows their names)."""
    db[READS].insert_one(entry)


def log_export(db: Database, entry: dict) -> None:
    """Keep who exported the citizens' personal data, when, and with which filters."""
    db[EXPORTS].insert_one(entry)


def find_by_email_key(db: Database, email_key: str) -> list[dict]:
    """Return every complaint of one citizen, by their normalised email."""
    if not email_key:
        return []
    return list(
        db[COMPLAINTS].find({"email_key": email_key}, {"outbox": 0, "audit": 0}).sort("submitted_at", 1)
    )


def find_due(db: Database, match: dict, limit: int = 500) -> list[dict]:
    """Return complaints a periodic job must look at (by an index: QUEUE_INDEXES)."""
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


def open_complaints(db: Database) -> Iterator[dict]:
    """Yield the complaints not closed yet, each read by _id; drop the notes of closed ones."""
    for note in list(db[OPEN].find({}, {"_id": 1})):
        if note["_id"] in (OPEN_COMPLETE, AGENTS_COMPLETE):
            continue
        complaint = db[COMPLAINTS].find_one({"_id": note["_id"]}, {"outbox": 0, "audit": 0})
        if complaint is None or complaint["status"] == "closed":
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
    for complaint in db[COMPLAINTS].find({"status": {"$ne": "closed"}}, {"_id": 1}):
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


def find_staff(db: Database, username: str) -> dict | None:
    """Return a staff member's account, or None."""
    return db[STAFF].find_one({"_id": username}, {"outbox": 0})


def create_staff(db: Database, account: dict, events: list[dict]) -> bool:
    """Insert a staff account with its events; return False when the username is taken."""
    try:
        db[STAFF].insert_one({**account, **outbox.stage_new(db, STAFF_OUTBOX, account["_id"], events)})
    except DuplicateKeyError:
        return False
    outbox.publish_now(db, STAFF_OUTBOX, account["_id"], events)
    return True


def update_staff(
    db: Database,
    username: str,
    changes: dict,
    audit: dict | None = None,
    events: list[dict] = (),
    *,
    revoke: bool = False,
) -> dict | None:
    """Change a staff account (keeping who changed what, with its events) and return it as it now is.

    With `revoke`, the account's token generation moves on in the same write: every token issued
    before it is refused from then on (common/tokens.py).
    """
    with STAFF_OUTBOX.guard(db, username):
        update: dict = {"$set": {**changes, **outbox.stage(db, STAFF_OUTBOX, username, events)}}
        if audit:
            update["$push"] = {"history": audit}
        if revoke:
            update["$inc"] = {"token_generation": 1}
        db[STAFF].update_one({"_id": username}, update)
    if events:
        outbox.publish_now(db, STAFF_OUTBOX, username, events)
    return find_staff(db, username)


def staff_names(db: Database, usernames: Iterable[str]) -> dict[str, str | None]:
    """Return the names of these staff members by username (read by _id)."""
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    found = db[STAFF].find({"_id": {"$in": wanted}}, {"name": 1})
    return {account["_id"]: account.get("name") for account in found}


def staff_of_district(db: Database, district: str | None) -> list[dict]:
    """Return the active members who work for this district (or for every district), by username."""
    covering = [tokens.ALL_DISTRICTS] if district is None else [district, tokens.ALL_DISTRICTS]
    found = db[STAFF].find(
        {"districts": {"$in": covering}}, {"name": 1, "department": 1, "role": 1, "active": 1}
    )
    return sorted((a for a in found if a.get("active", True)), key=lambda a: a["_id"])


def list_staff(db: Database) -> list[dict]:
    """Return every staff account, by username."""
    return list(db[STAFF].find({}, {"password_hash": 0, "history": 0, "outbox": 0}).sort("_id"))


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
