"""Tracking's rules: record complaints, let a citizen find theirs, show the public view."""

from __future__ import annotations

import hmac

from pymongo.database import Database

from common import config, tokens
from common.envelope import isoformat, utcnow
from common.errors import NotFound
from services.tracking import store

TOKEN_PURPOSE = "complaint-access"
NOT_FOUND = "No complaint matches this number and email address."


def token_ttl() -> int:
    """Return how long a citizen's access token lasts, in seconds."""
    return config.get_int("TRACKING_TOKEN_TTL", 3600)


def record_submitted(db: Database, data: dict) -> bool:
    """Record a complaint from its submitted event; idempotent."""
    citizen = data["citizen"]
    document = {
        "_id": data["number"],
        **{
            key: data[key]
            for key in (
                "kind",
                "category",
                "department",
                "district",
                "subject",
                "description",
                "address",
                "location",
            )
        },
        "citizen": citizen,
        "email_key": normalize_email(citizen.get("email", "")),
        "status": "received",
        "submitted_at": data["submitted_at"],
        "updated_at": data["submitted_at"],
        "ack_due": data["ack_due"],
        "answer_due": data["answer_due"],
        "timeline": [{"at": data["submitted_at"], "status": "received", "note": None, "by": "citizen"}],
        "documents": [],
        "remarks": [],
        "feedback": [],
        "recorded_at": utcnow(),
    }
    return store.record_submission(db, document=document)


def normalize_email(email: str) -> str:
    """Return the email as compared for tracking (case-insensitive)."""
    return email.strip().casefold()


def normalize_number(number: str) -> str:
    """Return the number as stored, whatever the citizen's spacing and case."""
    return "".join(number.split()).upper()


def track(db: Database, number: str, email: str) -> dict:
    """Return an access token and the view when number and email match; else the same 404."""
    complaint = store.find_by_number(db, normalize_number(number))
    expected = complaint["email_key"] if complaint else ""
    matches = hmac.compare_digest(expected.encode(), normalize_email(email).encode())
    if complaint is None or not matches:
        raise NotFound(NOT_FOUND)
    token = tokens.issue(TOKEN_PURPOSE, {"number": complaint["_id"]})
    return {"access_token": token, "expires_in": token_ttl(), "complaint": public_view(complaint)}


def authorize(authorization: str | None, number: str) -> None:
    """Raise unless the bearer token was issued for this complaint."""
    payload = tokens.verify(TOKEN_PURPOSE, tokens.bearer(authorization), token_ttl())
    if payload.get("number") != normalize_number(number):
        raise NotFound(NOT_FOUND)


def view(db: Database, number: str) -> dict:
    """Return the public view of a complaint."""
    complaint = store.find_by_number(db, normalize_number(number))
    if complaint is None:
        raise NotFound(NOT_FOUND)
    return public_view(complaint)


def public_view(complaint: dict) -> dict:
    """Return what the citizen sees: no internal note, no staff name, no contact data."""
    return {
        "number": complaint["_id"],
        "kind": complaint["kind"],
        "category": complaint["category"],
        "district": complaint["district"],
        "subject": complaint["subject"],
        "description": complaint["description"],
        "address": complaint.get("address"),
        "location": complaint.get("location"),
        "status": complaint["status"],
        "submitted_at": isoformat(complaint["submitted_at"]),
        "updated_at": isoformat(complaint["updated_at"]),
        "ack_due": isoformat(complaint["ack_due"]),
        "answer_due": isoformat(complaint["answer_due"]),
        "timeline": [
            {
                "at": isoformat(entry["at"]),
                "status": entry["status"],
                "note": entry.get("note"),
                "by": entry["by"],
            }
            for entry in complaint.get("timeline", [])
        ],
        "documents": complaint.get("documents", []),
        "remarks": complaint.get("remarks", []),
        "feedback": complaint.get("feedback", []),
        "can_reopen": False,
        "can_rate": False,
    }
