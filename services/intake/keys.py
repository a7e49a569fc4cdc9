"""Open311 API keys: issued and revoked by administrators, kept only as a SHA-256 digest.

A key is 43 random URL-safe characters after the `o311_` prefix, so a fast digest is as
safe at rest as a slow password hash would be, and a key is found by its digest (`_id`).
`OPEN311_API_KEY` seeds one key at start; an administrator's revocation of it stands.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import config, mongo
from common.envelope import isoformat, utcnow
from common.errors import Conflict, Forbidden, NotFound

KEYS = "open311_keys"
PREFIX = "o311_"
SEEDED_ID = "seeded"


def digest(key: str) -> str:
    """Return the stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def _view(document: dict) -> dict:
    return {
        "id": document["id"],
        "name": document["name"],
        "hint": document["hint"],
        "active": document["active"],
        "created_at": isoformat(document["created_at"]),
        "created_by": document["created_by"],
        "revoked_at": isoformat(document["revoked_at"]) if document.get("revoked_at") else None,
        "last_used_at": isoformat(document["last_used_at"]) if document.get("last_used_at") else None,
    }


def _document(key: str, *, key_id: str, name: str, by: str) -> dict:
    return {
        "_id": digest(key),
        "id": key_id,
        "name": name,
        "hint": key[: len(PREFIX) + 4] + "…",
        "active": True,
        "created_at": utcnow(),
        "created_by": by,
    }


def seed(db: Database) -> None:
    """Keep OPEN311_API_KEY as a key, unless it is there already (active or revoked)."""
    key = config.settings().open311_api_key
    if key:
        document = _document(key, key_id=SEEDED_ID, name="OPEN311_API_KEY", by="OPEN311_API_KEY")
        mongo.upsert(
            lambda: db[KEYS].update_one({"_id": document["_id"]}, {"$setOnInsert": document}, upsert=True)
        )


def issue(db: Database, name: str, *, by: str) -> dict:
    """Make a key; return its record with the key itself, which is shown this once."""
    key = PREFIX + secrets.token_urlsafe(32)
    document = _document(key, key_id=uuid.uuid4().hex[:12], name=name, by=by)
    try:
        db[KEYS].insert_one(document)
    except DuplicateKeyError:  # pragma: no cover - 256 random bits
        raise Conflict("Try again.") from None
    return {**_view(document), "key": key}


def listing(db: Database) -> list[dict]:
    """Return every key's record, newest first, without the keys."""
    return [_view(d) for d in db[KEYS].find({}).sort("created_at", -1)]


def revoke(db: Database, key_id: str, *, by: str) -> dict:
    """Revoke a key for good; return its record."""
    document = db[KEYS].find_one({"id": key_id})
    if document is None:
        raise NotFound("No such API key.")
    if document["active"]:
        changes = {"active": False, "revoked_at": utcnow(), "revoked_by": by}
        db[KEYS].update_one({"_id": document["_id"]}, {"$set": changes})
        document.update(changes)
    return _view(document)


def check(db: Database, key: str | None) -> dict:
    """Return the active key's record for a request; 403 when missing, unknown or revoked."""
    if not key:
        raise Forbidden("An api_key is required to submit a service request.")
    document = db[KEYS].find_one({"_id": digest(key)})
    if document is None or not document["active"]:
        raise Forbidden("The api_key is not valid.")
    db[KEYS].update_one({"_id": document["_id"]}, {"$set": {"last_used_at": utcnow()}})
    return document
