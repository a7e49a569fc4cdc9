"""Tracking's citizen-side rules: record complaints, find them, and the citizen's own actions."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime, timedelta

from pymongo.database import Database

from common import blobs, config, outbox, tokens, uploads
from common.envelope import utcnow
from common.errors import BadRequest, Conflict, NotFound, Unauthorized
from services.tracking import events, lifecycle, nearby, store, views

TOKEN_PURPOSE = "complaint-access"
NOT_FOUND = "No complaint matches this number and email address."

# A change returns the update to apply, the events it causes, and what to answer.
Change = Callable[[dict, datetime], tuple[dict, list[dict]]]


def token_ttl() -> int:
    """Return how long a citizen's access token lasts, in seconds."""
    return config.settings().tracking_token_ttl


def normalize_email(email: str) -> str:
    """Return the email as compared for tracking (case-insensitive)."""
    return email.strip().casefold()


def normalize_number(number: str) -> str:
    """Return the number as stored, whatever the citizen's spacing and case."""
    return "".join(number.split()).upper()


def record_submitted(db: Database, data: dict, event_id: str | None = None) -> bool:
    """Record a complaint from its submitted event; idempotent."""
    return store.record_submission(db, document=submitted_document(data, event_id))


def submitted_document(data: dict, event_id: str | None = None) -> dict:
    """Return the complaint as tracking first records it, from its submitted event's data."""
    citizen = data["citizen"]
    submitted = data["submitted_at"]
    return {
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
                "ack_due",
                "answer_due",
                "answer_days",
            )
        },
        "nearest_district": data.get("nearest_district"),
        **nearby.keys(data.get("location"), data.get("address")),
        "category_name": data.get("category_name"),
        "channel": data.get("channel") or "web",
        "media_url": data.get("media_url"),
        "citizen": citizen,
        "publish": data.get("publish") is True,
        "email_key": normalize_email(citizen.get("email") or ""),
        "status": lifecycle.RECEIVED,
        "submitted_at": submitted,
        "updated_at": submitted,
        "timeline": [
            {
                "at": submitted,
                "status": lifecycle.RECEIVED,
                "note": None,
                "by": "citizen",
                "event_id": event_id,
            }
        ],
        "documents": [{**d, "added_at": submitted, "by": "citizen"} for d in data.get("documents", [])],
        "remarks": [],
        "notes": [],
        "feedback": [],
        "reopen_count": 0,
        "answer_seq": 0,
        "first_answer_due": data["answer_due"],
        "overdue_notified": [],
        "audit": [],
        "recorded_at": utcnow(),
    }


def apply(db: Database, number: str, change: Change, *, touch: bool = True) -> dict:
    """Apply a change to the complaint as it is now, holding its lock; return it after."""
    return apply_together(db, [number], lambda found, now: {number: change(found[number], now)}, touch=touch)[
        number
    ]


# A change of several complaints at once: given each as it is now, the update and events of each,
# in the order they are to be written.
Changes = Callable[[dict[str, dict], datetime], dict[str, tuple[dict, list[dict]]]]


def apply_together(
    db: Database, numbers: list[str], change: Changes, *, touch: bool = True
) -> dict[str, dict]:
    """Apply a change to several complaints as they are now, holding all their locks; return them after.

    The locks are taken in the numbers' order, whatever the caller's: two changes of the same
    complaints in opposite directions (merge A into B, and B into A) wait for each other rather
    than each holding one lock forever, and the second sees what the first wrote.
    """
    with ExitStack() as held:
        for number in sorted(set(numbers)):
            held.enter_context(store.OUTBOX.guard(db, number))
        found = {number: store.find_by_number(db, number) for number in numbers}
        if any(complaint is None for complaint in found.values()):
            raise NotFound("No such complaint.")
        now = utcnow()
        written = {}
        for number, (update, new_events) in change(found, now).items():
            if not update and not new_events:
                continue
            if touch:
                update.setdefault("$set", {})["updated_at"] = now
            if new_events:
                update.setdefault("$set", {}).update(outbox.stage(db, store.OUTBOX, number, new_events))
            store.update(db, number, update)
            if update.get("$set", {}).get("status") == lifecycle.CLOSED:
                store.forget_open(db, number)
            written[number] = new_events
    for number, new_events in written.items():
        if new_events:
            outbox.publish_now(db, store.OUTBOX, number, new_events)
    return {
        number: store.find_by_number(db, number) if number in written else found[number] for number in numbers
    }


def move(
    complaint: dict,
    now: datetime,
    *,
    to: str,
    by: str,
    changes: dict | None = None,
    note: str | None = None,
    reason: str | None = None,
    **entry_fields,
) -> tuple[dict, dict]:
    """Return the update and the complaint.status_changed event of a status change.

    The timeline entry carries the event's id, so that the citizen's notification can be shown on it.
    """
    changes = {"status": to, **(changes or {})}
    event = events.status_changed(
        {**complaint, **changes},
        previous=complaint["status"],
        status=to,
        at=now,
        by=by,
        note=note,
        reason=reason,
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
    return {"$set": changes, "$push": {"timeline": entry}}, event


def record_notified(db: Database, number: str, trigger_id: str, at: str) -> None:
    """Mark the timeline entry whose event the citizen was emailed about; a no-op when unknown."""
    if store.find_by_number(db, number) is None:
        return

    def change(complaint: dict, _now: datetime):
        timeline = complaint.get("timeline", [])
        if not any(e.get("event_id") == trigger_id and "notified_at" not in e for e in timeline):
            return {}, []
        notified = datetime.fromisoformat(at)
        marked = [{**e, "notified_at": notified} if e.get("event_id") == trigger_id else e for e in timeline]
        return {"$set": {"timeline": marked}}, []

    apply(db, number, change, touch=False)


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


def add_document(db: Database, number: str, upload, *, by: str) -> dict:
    """Store a checked document and add it to the complaint; return its description."""
    data, content_type, filename = uploads.read_upload(upload)
    blob = blobs.put(db, data, content_type)
    document = {
        "id": uuid.uuid4().hex,
        "blob": blob,
        "filename": filename,
        "content_type": content_type,
        "size": len(data),
        "by": by,
    }

    def change(complaint: dict, now: datetime):
        if complaint["status"] == lifecycle.CLOSED:
            raise Conflict("The complaint is closed.")
        if len(complaint.get("documents", [])) >= uploads.max_count():
            raise uploads.TooManyDocuments(f"A complaint may hold at most {uploads.max_count()} documents.")
        added = {**document, "added_at": now}
        return {"$push": {"documents": added}}, [events.document_added(complaint, added)]

    after = apply(db, number, change)
    return views.document_view(next(d for d in after["documents"] if d["id"] == document["id"]))


def open_document(db: Database, number: str, document_id: str) -> tuple[dict, object]:
    """Return a document's description and an iterator over its bytes."""
    complaint = store.find_by_number(db, number)
    found = next((d for d in (complaint or {}).get("documents", []) if d["id"] == document_id), None)
    if found is None or blobs.head(db, found["blob"]) is None:
        raise NotFound("No such document.")
    return found, blobs.read(db, found["blob"])


def add_remark(db: Database, number: str, text: str) -> dict:
    """Add a citizen's remark or suggestion, at any time; return it."""
    remark = {"id": uuid.uuid4().hex, "text": text, "by": "citizen"}

    def change(complaint: dict, now: datetime):
        added = {**remark, "at": now}
        remark["at"] = now
        return {"$push": {"remarks": added}}, [events.remark_added(complaint, added)]

    apply(db, number, change)
    return views.remark_view(remark)


def reopen(db: Database, number: str, reason: str) -> dict:
    """Reopen an answered complaint within the window and the limit; return the view."""

    def change(complaint: dict, now: datetime):
        refusal = lifecycle.reopen_refusal(complaint, now)
        if refusal:
            raise Conflict(refusal)
        count = complaint.get("reopen_count", 0) + 1
        answer_due = now + timedelta(days=complaint.get("answer_days") or 60)
        update, changed = move(
            complaint,
            now,
            to=lifecycle.REOPENED,
            by="citizen",
            note=reason,
            changes={"reopen_count": count, "answer_due": answer_due, "reopened_at": now},
        )
        reopened = events.reopened(complaint, reason=reason, at=now, count=count, answer_due=answer_due)
        return update, [changed, reopened]

    return views.public_view(apply(db, number, change))


def rate(db: Database, number: str, data: dict) -> dict:
    """Record the citizen's rating of the current answer, once per answer; return it."""

    def change(complaint: dict, now: datetime):
        refusal = lifecycle.rating_refusal(complaint)
        if refusal:
            raise Conflict(refusal)
        rating = {
            "answer": complaint["answer_seq"],
            "at": now,
            "satisfaction": data["satisfaction"],
            "outcome": data["outcome"],
            "comment": data.get("comment"),
        }
        update = {"$set": {"rated_answer": rating["answer"]}, "$push": {"feedback": rating}}
        return update, [events.feedback_given(complaint, rating)]

    after = apply(db, number, change)
    return views.feedback_view(after["feedback"][-1])


def require_text(value: str | None, field: str, message: str) -> str:
    """Return a non-blank text, or raise a 400 naming the field."""
    if not value:
        raise BadRequest(message, fields={field: [message]})
    return value
