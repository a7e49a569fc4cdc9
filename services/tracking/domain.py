"""Tracking's citizen side: find a complaint by number and email, and the citizen's own actions."""

from __future__ import annotations

import hmac
import uuid
from datetime import datetime

from pymongo.database import Database

from common import blobs, config, tokens, uploads
from common.documents import store_document
from common.errors import BadRequest, Conflict, NotFound, Unauthorized
from common.vocabulary import Actor, Status
from services.tracking import events, policy, rules, store, views
from services.tracking.model import Changes, Complaint
from services.tracking.rules import normalize_email, normalize_number

TOKEN_PURPOSE = "complaint-access"
NOT_FOUND = "No complaint matches this number and email address."


def token_ttl() -> int:
    """Return how long a citizen's access token lasts, in seconds."""
    return config.settings().tracking_token_ttl


def move(
    complaint: Complaint,
    now: datetime,
    *,
    to: Status,
    by: Actor,
    changes: dict | None = None,
    note: str | None = None,
    reason: str | None = None,
    **entry_fields,
) -> Changes:
    """Return the changes of a status change: the new status, its timeline entry and its event.

    The timeline entry carries the event's id, so that the citizen's notification can be shown on
    it; the event says until when the citizen may reopen, as tracking's rule decides.
    """
    fields = {"status": to, **(changes or {})}
    after = {**complaint, **fields}
    event = events.status_changed(
        after,
        previous=complaint["status"],
        status=to,
        at=now,
        by=by,
        note=note,
        reason=reason,
        reopen_until=rules.reopen_until(after, **policy.reopening()),
    )
    entry = {
        "at": now,
        "status": to,
        "note": note,
        "by": by,
        "reason": reason,
        **entry_fields,
        "event_id": event["id"],
    }
    return {"set": fields, "append": {"timeline": [entry]}, "events": [event]}


def track(db: Database, number: str, email: str) -> dict:
    """Return an access token and the view when number and email match; else the same 404."""
    complaint = store.find_by_number(db, normalize_number(number))
    expected = complaint["email_key"] if complaint else ""
    matches = hmac.compare_digest(expected.encode(), normalize_email(email).encode())
    if complaint is None or not matches:
        raise NotFound(NOT_FOUND)
    return _access(complaint)


def open_link(db: Database, number: str, token: str) -> dict:
    """Return what track() returns for the link of a citizen's email; else the same 404 as track().

    The link must be genuine, unexpired, for this complaint, and for the address the complaint
    has now: once it is anonymised (or has no address), no link opens it.
    """
    complaint = store.find_by_number(db, normalize_number(number))
    email = complaint["email_key"] if complaint else ""
    if complaint is None or not tokens.email_link_opens(token, complaint["_id"], email):
        raise NotFound(NOT_FOUND)
    return _access(complaint)


def _access(complaint: dict) -> dict:
    token = tokens.issue(
        TOKEN_PURPOSE, {"number": complaint["_id"], "a": tokens.address_digest(complaint["email_key"])}
    )
    return {"access_token": token, "expires_in": token_ttl(), "complaint": views.public_view(complaint)}


ENDED = "This access has ended: find the complaint again with its number and email address."


def authorize(authorization: str | None, number: str) -> dict:
    """Return the claims of a citizen's bearer token if it was issued for this complaint.

    The caller then checks them against the complaint as it is now (`still_open_to`).
    """
    payload = tokens.verify(TOKEN_PURPOSE, tokens.bearer(authorization), token_ttl())
    if payload.get("number") != normalize_number(number):
        raise NotFound(NOT_FOUND)
    return payload


def still_open_to(db: Database, claims: dict) -> str:
    """Return the number of a token's complaint if its address is still the one it was issued for.

    Once the citizen's data is erased (or anonymised), every token of theirs ends at once: one
    read by _id.
    """
    complaint = store.find_by_number(db, claims["number"], fields=("email_key",))
    email = (complaint or {}).get("email_key") or ""
    if not email or not hmac.compare_digest(
        str(claims.get("a", "")).encode(), tokens.address_digest(email).encode()
    ):
        raise Unauthorized(ENDED)
    return claims["number"]


def view(db: Database, number: str) -> dict:
    """Return the public view of a complaint."""
    complaint = store.find_by_number(db, normalize_number(number))
    if complaint is None:
        raise NotFound(NOT_FOUND)
    return views.public_view(complaint)


def add_document(db: Database, number: str, upload, *, by: Actor) -> dict:
    """Store a checked document and add it to the complaint; return its description."""
    document = {**store_document(db, *uploads.read_upload(upload)), "by": by}

    def change(complaint: Complaint, now: datetime) -> Changes:
        if complaint["status"] == Status.CLOSED:
            raise Conflict("The complaint is closed.")
        if len(complaint.get("documents", [])) >= uploads.max_count():
            raise uploads.TooManyDocuments(f"A complaint may hold at most {uploads.max_count()} documents.")
        added = {**document, "added_at": now}
        return {"append": {"documents": [added]}, "events": [events.document_added(complaint, added)]}

    after = store.apply(db, number, change)
    return views.document_view(next(d for d in after["documents"] if d["id"] == document["id"]))


def open_document(db: Database, number: str, document_id: str) -> tuple[dict, object]:
    """Return a document's description and an iterator over its bytes."""
    found = _document(db, number, document_id)
    if blobs.head(db, found["blob"]) is None:
        raise NotFound("No such document.")
    return found, blobs.read(db, found["blob"])


def open_copy(db: Database, number: str, document_id: str, name: str) -> tuple[dict, dict, object]:
    """Return a photo's copy (`thumb` or `display`): its document, its blob's head, its bytes.

    A document without copies (a PDF, a photo added before copies were made) has none: 404.
    """
    found = _document(db, number, document_id)
    key = (found.get("copies") or {}).get(name)
    head = blobs.head(db, key) if key else None
    if head is None:
        raise NotFound("This document has no such copy.")
    return found, head, blobs.read(db, key)


def _document(db: Database, number: str, document_id: str) -> dict:
    complaint = store.find_by_number(db, number)
    found = next((d for d in (complaint or {}).get("documents", []) if d["id"] == document_id), None)
    if found is None:
        raise NotFound("No such document.")
    return found


def add_remark(db: Database, number: str, text: str) -> dict:
    """Add a citizen's remark or suggestion, at any time; return it."""
    remark = {"id": uuid.uuid4().hex, "text": text, "by": Actor.CITIZEN}

    def change(complaint: Complaint, now: datetime) -> Changes:
        added = {**remark, "at": now}
        remark["at"] = now
        return {"append": {"remarks": [added]}, "events": [events.remark_added(complaint, added)]}

    store.apply(db, number, change)
    return views.remark_view(remark)


def reopen(db: Database, number: str, reason: str) -> dict:
    """Reopen an answered complaint within the window and the limit; return the view."""

    def change(complaint: Complaint, now: datetime) -> Changes:
        refusal = rules.reopen_refusal(complaint, now, **policy.reopening())
        if refusal:
            raise Conflict(refusal)
        fields = rules.reopening_fields(complaint, now)
        changes = move(complaint, now, to=Status.REOPENED, by=Actor.CITIZEN, note=reason, changes=fields)
        changes["events"].append(
            events.reopened(
                complaint,
                reason=reason,
                at=now,
                count=fields["reopen_count"],
                answer_due=fields["answer_due"],
            )
        )
        return changes

    return views.public_view(store.apply(db, number, change))


def rate(db: Database, number: str, data: dict) -> dict:
    """Record the citizen's rating of the current answer, once per answer; return it."""

    def change(complaint: Complaint, now: datetime) -> Changes:
        refusal = rules.rating_refusal(complaint)
        if refusal:
            raise Conflict(refusal)
        rating = {
            "answer": complaint["answer_seq"],
            "at": now,
            "satisfaction": data["satisfaction"],
            "outcome": data["outcome"],
            "comment": data.get("comment"),
        }
        return {
            "set": {"rated_answer": rating["answer"]},
            "append": {"feedback": [rating]},
            "events": [events.feedback_given(complaint, rating)],
        }

    after = store.apply(db, number, change)
    return views.feedback_view(after["feedback"][-1])


def require_text(value: str | None, field: str, message: str) -> str:
    """Return a non-blank text, or raise a 400 naming the field."""
    if not value:
        raise BadRequest(message, fields={field: [message]})
    return value
