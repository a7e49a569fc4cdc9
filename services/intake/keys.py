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

from common import config
from common.envelope import isoformat, utcnow
from common.errors import Conflict, Forbidden, NotFound
from services.intake import store
from services.intake.model import ApiKey

KEYS = store.KEYS
PREFIX = "o311_"
SEEDED_ID = "seeded"


def digest(key: str) -> str:
    """Return the stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def _view(document: ApiKey) -> dict:
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


def _document(key: str, *, key_id: str, name: str, by: str) -> ApiKey:
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
        store.seed_key(db, document)


def issue(db: Database, name: str, *, by: str) -> dict:
    """Make a key; return its record with the key itself, which is shown this once."""
    key = PREFIX + secrets.token_urlsafe(32)
    document = _document(key, key_id=uuid.uuid4().hex[:12], name=name, by=by)
    if not store.add_key(db, document):  # pragma: no cover - 256 random bits
        raise Conflict("Try again.")
    return {**_view(document), "key": key}


def listing(db: Database) -> list[dict]:
    """Return every key's record, newest first, without the keys."""
    return [_view(d) for d in store.list_keys(db)]


def revoke(db: Database, key_id: str, *, by: str) -> dict:
    """Revoke a key for good; return its record."""
    document = store.find_key(db, key_id=key_id)
    if document is None:
        raise NotFound("No such API key.")
    if document["active"]:
        changes = {"active": False, "revoked_at": utcnow(), "revoked_by": by}
        store.change_key(db, document["_id"], changes)
        document.update(changes)
    return _view(document)


def check(db: Database, key: str | None) -> dict:
    """Return the active key's record for a request; 403 when missing, unknown or revoked."""
    if not key:
        raise Forbidden("An api_key is required to submit a service request.")
    document = store.find_key(db, digest=digest(key))
    if document is None or not document["active"]:
        raise Forbidden("The api_key is not valid.")
    store.change_key(db, document["_id"], {"last_used_at": utcnow()})
    return document
