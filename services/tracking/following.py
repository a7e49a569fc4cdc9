"""Following a complaint: someone who reported the same thing is emailed at each of its steps.

A follower is an email address and a language, kept in the complaint's `followers` map under a
digest of the address, with the complaint's personal-data rules (anonymisation removes them).
Each email carries a link to stop, signed with the platform's key (`tokens.issue_unfollow`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from pymongo.database import Database

from common import tokens
from common.errors import Conflict, NotFound
from services.tracking import domain, events, lifecycle

MAX_FOLLOWERS = 500


def follower_id(email: str) -> str:
    """Return the key of a follower: a digest of their address as compared (case-insensitive)."""
    return hashlib.sha256(domain.normalize_email(email).encode()).hexdigest()[:24]


def add(db: Database, number: str, email: str, language: str, *, via: str = "follow", **details) -> bool:
    """Make an address follow an open complaint; return False when it already did (or is its citizen)."""
    key = follower_id(email)
    added = []

    def change(complaint: dict, now: datetime):
        if complaint["status"] == lifecycle.CLOSED:
            raise Conflict("A closed complaint cannot be followed.")
        followers = complaint.get("followers") or {}
        if key in followers or domain.normalize_email(email) == complaint.get("email_key"):
            return {}, []  # already told of every step
        if len(followers) >= MAX_FOLLOWERS:
            raise Conflict("This complaint has as many followers as it may have.")
        follower = {"email": email, "language": language, "since": now, "via": via, **details}
        added.append(key)
        return {"$set": {f"followers.{key}": follower}}, [
            events.followed(complaint, follower_id=key, follower=follower)
        ]

    domain.apply(db, number, change, touch=False)
    return bool(added)


def follow(db: Database, number: str, email: str, language: str) -> dict:
    """Follow an open complaint by its number (a citizen who reported the same thing)."""
    number = domain.normalize_number(number)
    try:
        add(db, number, email, language)
    except NotFound:
        raise NotFound("No complaint has this number.") from None
    return {"number": number, "following": True}


def unfollow(db: Database, number: str, token: str) -> dict:
    """Stop a follower's emails, from the link in one of them; idempotent."""
    payload = tokens.unfollow_claims(token)
    number = domain.normalize_number(number)
    if payload.get("number") != number:
        raise NotFound("This link is for another complaint.")
    key = payload["follower"]

    def change(complaint: dict, now: datetime):
        if key not in (complaint.get("followers") or {}):
            return {}, []
        return {"$unset": {f"followers.{key}": ""}}, [events.unfollowed(complaint, follower_id=key, at=now)]

    domain.apply(db, number, change, touch=False)
    return {"number": number, "following": False}
