"""The complaint's life: the state table of PRODUCT.md, and who may move it where."""

from __future__ import annotations

from datetime import datetime, timedelta

from common import config

RECEIVED, ACKNOWLEDGED, IN_PROGRESS = "received", "acknowledged", "in_progress"
RESOLVED, REJECTED, REOPENED, CLOSED = "resolved", "rejected", "reopened", "closed"
STATUSES = (RECEIVED, ACKNOWLEDGED, IN_PROGRESS, RESOLVED, REJECTED, REOPENED, CLOSED)
ANSWERED = (RESOLVED, REJECTED)
OPEN = (RECEIVED, ACKNOWLEDGED, IN_PROGRESS, REOPENED)

# from status: the statuses staff may move it to
STAFF_TRANSITIONS = {
    RECEIVED: (ACKNOWLEDGED, IN_PROGRESS, REJECTED),
    ACKNOWLEDGED: (IN_PROGRESS, REJECTED),
    IN_PROGRESS: (RESOLVED, REJECTED),
    REOPENED: (IN_PROGRESS, RESOLVED, REJECTED),
    RESOLVED: (CLOSED,),
    REJECTED: (CLOSED,),
    CLOSED: (),
}
# Closing by hand ends the citizen's right to reopen early: a supervisor's decision.
SUPERVISOR_ONLY = (CLOSED,)


def overdue_filter(now: datetime) -> dict:
    """Return the store filter of complaints with a deadline passed unmet (the staff's queue)."""
    return {
        "$or": [
            {"status": RECEIVED, "ack_due": {"$lt": now}},
            {"status": {"$in": list(OPEN)}, "answer_due": {"$lt": now}},
        ]
    }


def is_overdue(complaint: dict, now: datetime) -> bool:
    """Return whether a deadline of the complaint passed unmet."""
    status = complaint["status"]
    return (status == RECEIVED and complaint["ack_due"] < now) or (
        status in OPEN and complaint["answer_due"] < now
    )


def reopen_window() -> timedelta:
    """Return how long after an answer the citizen may reopen."""
    return timedelta(days=config.settings().reopen_window_days)


def reopen_limit() -> int:
    """Return how many times a complaint may be reopened."""
    return config.settings().reopen_limit


def staff_may(role: str, current: str, target: str) -> bool:
    """Return whether a staff member of this role may move the complaint from current to target."""
    if target not in STAFF_TRANSITIONS.get(current, ()):
        return False
    return role in ("supervisor", "admin") or target not in SUPERVISOR_ONLY


def reopen_refusal(complaint: dict, now: datetime) -> str | None:
    """Return why the citizen may not reopen now, or None when they may."""
    if complaint["status"] not in ANSWERED:
        return "Only a resolved or rejected complaint can be reopened."
    if complaint.get("reopen_count", 0) >= reopen_limit():
        return f"A complaint can be reopened at most {reopen_limit()} times."
    answered_at = complaint.get("answered_at")
    if answered_at is None or now - answered_at > reopen_window():
        return "The time to reopen this complaint has passed."
    return None


# A closed complaint keeps its last answer, which the citizen may still rate.
RATEABLE = (RESOLVED, REJECTED, CLOSED)
OUTCOMES = ("resolved", "partially_resolved", "not_resolved")


def rating_refusal(complaint: dict) -> str | None:
    """Return why the citizen may not rate now, or None when the current answer awaits a rating."""
    if complaint["status"] not in RATEABLE or not complaint.get("answer_seq"):
        return "The complaint has no answer to rate yet."
    if complaint.get("rated_answer") == complaint["answer_seq"]:
        return "This answer has already been rated; a new answer can be rated again."
    return None


def can_rate(complaint: dict) -> bool:
    """Return whether the current answer awaits the citizen's rating."""
    return rating_refusal(complaint) is None
