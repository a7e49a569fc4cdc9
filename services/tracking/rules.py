"""Tracking's decisions, pure: the state table, deadlines, reopening, rating and what is public.

Nothing here reads the settings, the clock or the store: `now` and the policy values (the reopen
window and limit: policy.py) are given, so that each rule is a function of its arguments, and
tests/unit/tracking/test_rules.py holds it to tables of cases.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from common.vocabulary import ANSWERED_STATUSES, DECIDING_ROLES, OPEN_STATUSES, Actor, Deadline, Status
from services.tracking.model import Complaint, TimelineEntry

# from status: the statuses staff may move it to (PRODUCT.md's table; only the citizen reopens)
STAFF_TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.RECEIVED: (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REJECTED),
    Status.ACKNOWLEDGED: (Status.IN_PROGRESS, Status.REJECTED),
    Status.IN_PROGRESS: (Status.RESOLVED, Status.REJECTED),
    Status.REOPENED: (Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED),
    Status.RESOLVED: (Status.CLOSED,),
    Status.REJECTED: (Status.CLOSED,),
    Status.CLOSED: (),
}
# Closing by hand ends the citizen's right to reopen early: a supervisor's decision.
SUPERVISOR_ONLY = (Status.CLOSED,)
# The deadlines a complaint can miss: each one's field, and the statuses in which it is still awaited.
# The store's filter of the overdue queue is made from this table too (queue_store.overdue).
DEADLINES: tuple[tuple[Deadline, str, tuple[Status, ...]], ...] = (
    (Deadline.ACKNOWLEDGEMENT, "ack_due", (Status.RECEIVED,)),
    (Deadline.ANSWER, "answer_due", OPEN_STATUSES),
)
DEFAULT_ANSWER_DAYS = 60  # decree 2-17-265: when a complaint's category named none
# A closed complaint keeps its last answer, which the citizen may still rate.
RATEABLE = (*ANSWERED_STATUSES, Status.CLOSED)
# Open311's `closed` (GeoReport v2 knows open and closed only): answered, or closed.
PUBLICLY_CLOSED = (*ANSWERED_STATUSES, Status.CLOSED)
# Who writes the notes the public may read (Open311): staff, and the platform itself (fixed
# texts), never a citizen.
PUBLIC_AUTHORS = (Actor.STAFF, Actor.SYSTEM)


def normalize_email(email: str) -> str:
    """Return the email as compared for tracking (case-insensitive)."""
    return email.strip().casefold()


def normalize_number(number: str) -> str:
    """Return the number as stored, whatever the citizen's spacing and case."""
    return "".join(number.split()).upper()


def staff_may(role: str, current: str, target: str) -> bool:
    """Return whether a staff member of this role may move the complaint from current to target."""
    if target not in STAFF_TRANSITIONS.get(current, ()):
        return False
    return role in DECIDING_ROLES or target not in SUPERVISOR_ONLY


def staff_targets(role: str, current: str) -> list[Status]:
    """Return the statuses a staff member of this role may move the complaint to now."""
    return [target for target in STAFF_TRANSITIONS[current] if staff_may(role, current, target)]


def transition_fields(complaint: Complaint, target: str, now: datetime) -> dict:
    """Return what a staff transition records besides the status: when it was acknowledged, answered, closed.

    The first move out of `received` acknowledges it, whatever its target; each answer is numbered,
    so that each can be rated once.
    """
    fields: dict = {}
    if target in ANSWERED_STATUSES:
        fields.update(answered_at=now, answer_seq=complaint.get("answer_seq", 0) + 1)
    if target == Status.ACKNOWLEDGED or (
        complaint["status"] == Status.RECEIVED and "acknowledged_at" not in complaint
    ):
        fields["acknowledged_at"] = now
    if target == Status.CLOSED:
        fields["closed_at"] = now
    return fields


def missed_deadlines(complaint: Complaint, now: datetime) -> list[tuple[Deadline, datetime]]:
    """Return the deadlines of the complaint that passed unmet, with their dates."""
    return [
        (deadline, complaint[field])
        for deadline, field, awaited in DEADLINES
        if complaint["status"] in awaited and complaint[field] < now
    ]


def is_overdue(complaint: Complaint, now: datetime) -> bool:
    """Return whether a deadline of the complaint passed unmet."""
    return bool(missed_deadlines(complaint, now))


def reopen_until(complaint: Complaint, *, window: timedelta, limit: int) -> datetime | None:
    """Return until when the citizen may reopen the complaint, or None when they may not at all.

    Only an answer (resolved or rejected) can be reopened, within `window` of it and `limit` times.
    """
    answered_at = complaint.get("answered_at")
    if complaint["status"] not in ANSWERED_STATUSES or complaint.get("reopen_count", 0) >= limit:
        return None
    return None if answered_at is None else answered_at + window


def reopen_refusal(complaint: Complaint, now: datetime, *, window: timedelta, limit: int) -> str | None:
    """Return why the citizen may not reopen now, or None when they may."""
    if complaint["status"] not in ANSWERED_STATUSES:
        return "Only a resolved or rejected complaint can be reopened."
    if complaint.get("reopen_count", 0) >= limit:
        return f"A complaint can be reopened at most {limit} times."
    until = reopen_until(complaint, window=window, limit=limit)
    if until is None or now > until:
        return "The time to reopen this complaint has passed."
    return None


def can_reopen(complaint: Complaint, now: datetime, *, window: timedelta, limit: int) -> bool:
    """Return whether the citizen may reopen the complaint now."""
    return reopen_refusal(complaint, now, window=window, limit=limit) is None


def reopening_fields(complaint: Complaint, now: datetime) -> dict:
    """Return what a reopening records: its count, and a new answer deadline from now."""
    return {
        "reopen_count": complaint.get("reopen_count", 0) + 1,
        "answer_due": now + timedelta(days=complaint.get("answer_days") or DEFAULT_ANSWER_DAYS),
        "reopened_at": now,
    }


def closing_due(complaint: Complaint, now: datetime, *, window: timedelta) -> bool:
    """Return whether the platform closes an answer now: its reopen window has passed."""
    return complaint["status"] in ANSWERED_STATUSES and complaint["answered_at"] < now - window


def rating_refusal(complaint: Complaint) -> str | None:
    """Return why the citizen may not rate now, or None when the current answer awaits a rating."""
    if complaint["status"] not in RATEABLE or not complaint.get("answer_seq"):
        return "The complaint has no answer to rate yet."
    if complaint.get("rated_answer") == complaint["answer_seq"]:
        return "This answer has already been rated; a new answer can be rated again."
    return None


def can_rate(complaint: Complaint) -> bool:
    """Return whether the current answer awaits the citizen's rating."""
    return rating_refusal(complaint) is None


def published(complaint: Complaint) -> bool:
    """Return whether its citizen consented to publishing its words and place, and still does."""
    return complaint.get("publish") is True and not complaint.get("anonymised_at")


def public_note(complaint: Complaint, entry: TimelineEntry) -> str | None:
    """Return a timeline entry's note as the public may read it: the staff's, with consent; else None."""
    if not published(complaint) or entry.get("by") not in PUBLIC_AUTHORS:
        return None
    return entry.get("note") or None
