"""Intake's collections: the catalogue, canned answers, Open311 keys and tokens, the complaints as submitted.

The only module of intake that writes the store's query and update operators.
"""

from __future__ import annotations

import time

from pymongo import ASCENDING, ReturnDocument, UpdateOne
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import mongo, outbox
from services.intake import catalog, rules

COMPLAINTS = "intake_complaints"
OUTBOX = outbox.Outbox(COMPLAINTS)
DISTRICTS = "catalog_districts"
CATEGORIES = "catalog_categories"
TOKENS = "open311_tokens"
KEYS = "open311_keys"  # by the key's digest
ANSWERS = "catalog_answers"  # the staff's canned answers, per category and target status
ANSWERS_ORDER = [("category", ASCENDING), ("status", ASCENDING), ("title", ASCENDING), ("_id", ASCENDING)]

_cache: dict = {"at": 0.0, "value": None}
CATALOG_CACHE_SECONDS = 5.0


def ensure_indexes(db: Database) -> None:
    """Create intake's indexes and seed the default catalogue where it is missing."""
    outbox.ensure_indexes(db, OUTBOX)
    db[COMPLAINTS].create_index([("submitted_at", ASCENDING)])
    db[ANSWERS].create_index(ANSWERS_ORDER)
    seed_catalog(db)


def seed_catalog(db: Database) -> None:
    """Insert the default entries that are missing; never overwrite an administrator's edits."""
    for name, entries in (
        (DISTRICTS, catalog.default_districts()),
        (CATEGORIES, catalog.default_categories()),
    ):
        writes = [UpdateOne({"_id": e["_id"]}, {"$setOnInsert": e}, upsert=True) for e in entries]
        mongo.upsert(lambda name=name, writes=writes: db[name].bulk_write(writes, ordered=False))
    # Districts seeded before they had a centre get the default one; a centre set by an
    # administrator stays.
    db[DISTRICTS].bulk_write(
        [
            UpdateOne({"_id": d["_id"], "center": {"$exists": False}}, {"$set": {"center": d["center"]}})
            for d in catalog.default_districts()
        ],
        ordered=False,
    )


def active_catalog(db: Database) -> dict:
    """Return the active districts and categories by code, cached for a few seconds."""
    now = time.monotonic()
    if _cache["value"] is None or now - _cache["at"] > CATALOG_CACHE_SECONDS:
        districts = {d["_id"]: d for d in db[DISTRICTS].find({"active": True}).sort("position")}
        categories = {c["_id"]: c for c in db[CATEGORIES].find({"active": True}).sort("position")}
        _cache.update(at=now, value={"districts": districts, "categories": categories})
    return _cache["value"]


def invalidate_catalog() -> None:
    """Forget the cached catalogue (after an administrator's change)."""
    _cache["value"] = None


def full_catalog(db: Database) -> dict:
    """Return every district and category, retired ones included."""
    return {
        "districts": list(db[DISTRICTS].find({}, {"history": 0}).sort("position")),
        "categories": list(db[CATEGORIES].find({}, {"history": 0}).sort("position")),
    }


def add_entry(db: Database, collection: str, entry: dict, audit: dict) -> bool:
    """Add a catalogue entry at the end of its list; return False when the code is taken."""
    last = list(db[collection].find({}, {"position": 1}).sort("position", -1).limit(1))
    entry = {**entry, "position": (last[0]["position"] + 1) if last else 0, "history": [audit]}
    try:
        db[collection].insert_one(entry)
    except DuplicateKeyError:
        return False
    invalidate_catalog()
    return True


def change_entry(db: Database, collection: str, code: str, changes: dict, audit: dict) -> dict | None:
    """Change a catalogue entry, keeping who changed what; return it, or None when absent."""
    # No projection: FerretDB's findAndModify does not support one.
    entry = db[collection].find_one_and_update(
        {"_id": code}, {"$set": changes, "$push": {"history": audit}}, return_document=ReturnDocument.AFTER
    )
    invalidate_catalog()
    if entry is not None:
        entry.pop("history", None)
    return entry


def list_answers(db: Database, match: dict) -> list[dict]:
    """Return the canned answers matching, by category, status and title."""
    return list(db[ANSWERS].find(match).sort(ANSWERS_ORDER))


def add_answer(db: Database, answer: dict) -> None:
    """Store a new canned answer."""
    db[ANSWERS].insert_one(answer)


def change_answer(db: Database, answer_id: str, changes: dict) -> dict | None:
    """Change a canned answer; return it as it now is, or None when absent."""
    # No projection: FerretDB's findAndModify does not support one.
    return db[ANSWERS].find_one_and_update(
        {"_id": answer_id}, {"$set": changes}, return_document=ReturnDocument.AFTER
    )


def remove_answer(db: Database, answer_id: str) -> bool:
    """Delete a canned answer; return whether there was one."""
    return db[ANSWERS].delete_one({"_id": answer_id}).deleted_count == 1


def remember_token(db: Database, token: str, number: str) -> None:
    """Point an Open311 token at the number it stands for (before the complaint is written)."""
    mongo.upsert(lambda: db[TOKENS].update_one({"_id": token}, {"$set": {"number": number}}, upsert=True))


def number_of_token(db: Database, token: str) -> str | None:
    """Return the number of a submitted complaint an Open311 token stands for, or None."""
    found = db[TOKENS].find_one({"_id": token})
    if found is None or db[COMPLAINTS].find_one({"_id": found["number"]}, {"_id": 1}) is None:
        return None
    return found["number"]


def anonymise(db: Database, number: str) -> None:
    """Remove the citizen's contact, address and point, and their consent to publish, from a complaint."""
    complaint = db[COMPLAINTS].find_one({"_id": number}, {"citizen.language": 1, "documents": 1})
    if complaint is None:
        return
    language = (complaint.get("citizen") or {}).get("language")
    erased = rules.erased(language, complaint.get("documents", []))
    db[COMPLAINTS].update_one({"_id": number}, {"$set": erased})


def find_complaint(db: Database, number: str) -> dict | None:
    """Return a complaint as intake recorded it, without its pending events."""
    return db[COMPLAINTS].find_one({"_id": number}, {"outbox": 0})


def create_complaint(db: Database, *, document: dict, events: list[dict]) -> dict:
    """Insert a complaint and its events in one write; raise DuplicateKeyError on a taken number."""
    db[COMPLAINTS].insert_one({**document, **outbox.stage_new(db, OUTBOX, document["_id"], events)})
    return document


def seed_key(db: Database, document: dict) -> None:
    """Keep an API key's record unless its digest is there already (active or revoked)."""
    mongo.upsert(
        lambda: db[KEYS].update_one({"_id": document["_id"]}, {"$setOnInsert": document}, upsert=True)
    )


def add_key(db: Database, document: dict) -> bool:
    """Store a new API key's record; return False when its digest is taken."""
    try:
        db[KEYS].insert_one(document)
    except DuplicateKeyError:
        return False
    return True


def list_keys(db: Database) -> list[dict]:
    """Return every API key's record, newest first."""
    return list(db[KEYS].find({}).sort("created_at", -1))


def find_key(db: Database, *, key_id: str | None = None, digest: str | None = None) -> dict | None:
    """Return an API key's record by its id, or by its digest."""
    return db[KEYS].find_one({"id": key_id} if digest is None else {"_id": digest})


def change_key(db: Database, digest: str, changes: dict) -> None:
    """Change an API key's record (its revocation, its last use)."""
    db[KEYS].update_one({"_id": digest}, {"$set": changes})
