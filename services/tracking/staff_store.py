"""Tracking's staff accounts (tracking_staff), which every service reads to check a staff token."""

from __future__ import annotations

from collections.abc import Iterable

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import outbox, tokens

STAFF = tokens.STAFF_ACCOUNTS  # "tracking_staff"; every service reads it to check staff tokens
# An account's changes and their staff.member_changed are one write.
STAFF_OUTBOX = outbox.Outbox(STAFF, locked=True)


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
