"""Following a complaint: someone who reported the same thing is emailed at each of its steps.

A follower is an email address and a language, kept in the complaint's `followers` map under a
digest of the address, with the complaint's personal-data rules (anonymisation and erasure remove
them). Anyone may ask to follow with any address, so an address follows only once it confirmed,
from the link of the one email such a request sends (double opt-in): until then nothing else about
the complaint goes to it, and after FOLLOW_CONFIRM_TTL the request is forgotten. A stranger can
neither make someone follow nor learn whether they do: every request gets the same answer.

The citizens of duplicates merged into a complaint follow it without asking (they reported it);
so do, when that complaint is merged in turn, its own followers (see `carried`).

Each email carries a link to stop, signed with the platform's key (`tokens.issue_unfollow`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from pymongo.database import Database

from common import tokens
from common.errors import Conflict, NotFound
from common.vocabulary import Language, Status
from services.tracking import events, store
from services.tracking.model import Changes, Complaint, Follower
from services.tracking.rules import normalize_email, normalize_number

MAX_FOLLOWERS = 500
# Requests waiting for their confirmation, per complaint: a new one beyond this pushes the oldest
# out (its address may ask again), so that strangers' requests never stop anyone from following.
MAX_PENDING = 100
# A request repeated within this time sends no second email: one stranger's requests cannot
# flood the address (the notification service's cap on follower emails is the backstop).
RESEND_AFTER = timedelta(hours=1)
EXPIRED = "This request to follow has expired: ask again from the complaint's page."


def follower_id(email: str) -> str:
    """Return the key of a follower: a digest of their address as compared (case-insensitive)."""
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()[:24]


def is_pending(follower: Follower) -> bool:
    """Return whether a follower still has to confirm (those of before double opt-in never had to)."""
    return follower.get("confirmed") is False


def confirmed(complaint: Complaint) -> dict[str, Follower]:
    """Return the complaint's followers who confirmed, by key."""
    return {key: f for key, f in (complaint.get("followers") or {}).items() if not is_pending(f)}


def request(db: Database, number: str, email: str, language: str) -> dict:
    """Ask to follow an open complaint: the address is sent a link to confirm, nothing else.

    The answer is the same whether the address follows already, is the complaint's citizen's or
    was just asked: it tells a stranger nothing about the address.
    """
    number = normalize_number(number)
    key = follower_id(email)
    ttl = timedelta(seconds=tokens.follow_confirm_ttl())

    def change(complaint: Complaint, now: datetime) -> Changes:
        if complaint["status"] == Status.CLOSED:
            raise Conflict("A closed complaint cannot be followed.")
        followers = complaint.get("followers") or {}
        current = followers.get(key)
        if normalize_email(email) == complaint.get("email_key") or (current and not is_pending(current)):
            return {}  # told of every step already
        if current and current["requested_at"] > now - RESEND_AFTER:
            return {}  # the email just sent is still the one to confirm with
        if current is None and len(confirmed(complaint)) >= MAX_FOLLOWERS:
            raise Conflict("This complaint has as many followers as it may have.")
        waiting = {k: f for k, f in followers.items() if is_pending(f) and k != key}
        pushed_out = sorted(waiting, key=lambda k: waiting[k]["requested_at"])[
            : max(0, len(waiting) - MAX_PENDING + 1)
        ]
        pending = {
            "email": email,
            "language": language,
            "via": "follow",
            "confirmed": False,
            "requested_at": now,
            "expires_at": now + ttl,
        }
        store.note_follow(db, key, number, now + ttl)
        event = events.follow_requested(complaint, follower_id=key, follower=pending)
        return {
            "set": {f"followers.{key}": pending},
            "remove": [f"followers.{k}" for k in pushed_out],
            "events": [event],
        }

    try:
        store.apply(db, number, change, touch=False)
    except NotFound:
        raise NotFound("No complaint has this number.") from None
    return {"number": number, "confirmation": "sent"}


def confirm(db: Database, number: str, token: str) -> dict:
    """Confirm a request to follow, from the link emailed to the address; idempotent."""
    claims = tokens.follow_confirmation_claims(token)
    number = normalize_number(number)
    if claims.get("number") != number:
        raise NotFound("This link is for another complaint.")
    key = claims["follower"]

    def change(complaint: Complaint, now: datetime) -> Changes:
        current = (complaint.get("followers") or {}).get(key)
        if current is None or (is_pending(current) and current["expires_at"] < now):
            raise NotFound(EXPIRED)
        if not is_pending(current):
            return {}
        if complaint["status"] == Status.CLOSED:
            raise Conflict("This complaint is closed: there is nothing more to follow.")
        if len(confirmed(complaint)) >= MAX_FOLLOWERS:
            raise Conflict("This complaint has as many followers as it may have.")
        follower = {k: v for k, v in current.items() if k not in ("confirmed", "expires_at")}
        follower.update(confirmed=True, since=now)
        return {
            "set": {f"followers.{key}": follower},
            "events": [events.followed(complaint, follower_id=key, follower=follower)],
        }

    store.apply(db, number, change, touch=False)
    store.note_follow(db, key, number, None)  # no longer pending: it does not expire
    return {"number": number, "following": True}


def unfollow(db: Database, number: str, token: str) -> dict:
    """Stop a follower's emails, from the link in one of them; idempotent."""
    payload = tokens.unfollow_claims(token)
    number = normalize_number(number)
    if payload.get("number") != number:
        raise NotFound("This link is for another complaint.")
    remove(db, number, payload["follower"], reason="unfollowed")
    return {"number": number, "following": False}


def remove(db: Database, number: str, key: str, *, reason: str, expired_by: datetime | None = None) -> None:
    """Remove an address from a complaint's followers (confirmed or not); a no-op when it is not one.

    With `expired_by`, only a request whose time to confirm had passed by then: a follower who
    confirmed, or asked again, meanwhile stays.
    """
    kept = []

    def change(complaint: Complaint, now: datetime) -> Changes:
        current = (complaint.get("followers") or {}).get(key)
        if current is None:
            return {}
        if expired_by and not (is_pending(current) and current["expires_at"] <= expired_by):
            kept.append(current["expires_at"] if is_pending(current) else None)  # asked again since
            return {}
        told = (
            []
            if is_pending(current)
            else [events.unfollowed(complaint, follower_id=key, at=now, reason=reason)]
        )
        return {"remove": [f"followers.{key}"], "events": told}

    try:
        store.apply(db, number, change, touch=False)
    except NotFound:
        pass  # the complaint is gone: so is its follower
    if kept:
        store.note_follow(db, key, number, kept[0])
    else:
        store.forget_follow(db, key, number)


def expire(db: Database, now: datetime) -> int:
    """Forget the requests to follow whose time to confirm has passed; return how many."""
    expired = store.expired_follows(db, now)
    for follow in expired:
        remove(db, follow["number"], follow["key"], reason="unfollowed", expired_by=now)
    return len(expired)


def carried(duplicate: Complaint, kept: Complaint, now: datetime) -> tuple[dict, list[dict]]:
    """Return the followers a merge gives the kept complaint, and their complaint.followed events.

    The duplicate's citizen follows it (told "your complaint is handled with this one"), and so does
    every confirmed follower of the duplicate (told "the complaint you follow is handled with this
    one"), keeping the complaint they first reported: after A into B, then B into C, A's citizen
    follows C and is told of A. Pending requests to follow the duplicate are not carried.
    """
    present = kept.get("followers") or {}
    moving: dict[str, dict] = {}
    citizen = duplicate.get("citizen") or {}
    if citizen.get("email"):
        moving[follower_id(citizen["email"])] = {
            "email": citizen["email"],
            "language": citizen.get("language") or Language.FR,
            "via": "merge",
            "merged_from": duplicate["_id"],
        }
    for key, follower in confirmed(duplicate).items():
        own = follower.get("merged_from")
        moving.setdefault(
            key,
            {
                "email": follower["email"],
                "language": follower.get("language") or Language.FR,
                "via": "merge",
                **({"merged_from": own} if own else {"moved_from": duplicate["_id"]}),
            },
        )
    fresh = {
        key: {**follower, "confirmed": True, "since": now}
        for key, follower in moving.items()
        if normalize_email(follower["email"]) != kept.get("email_key")
        and (key not in present or is_pending(present[key]))
    }
    if len(confirmed(kept)) + len(fresh) > MAX_FOLLOWERS:
        raise Conflict("The kept complaint would have more followers than it may have.")
    update = {f"followers.{key}": follower for key, follower in fresh.items()}
    return update, [events.followed(kept, follower_id=key, follower=f) for key, f in fresh.items()]
