"""Tracking's decisions, pure: the state table, deadlines, reopening, rating and what is public.

Nothing here reads the settings, the clock or the store: `now` and the policy values (the reopen
window and limit: policy.py) are given, so that each rule is a function of its arguments, and
tests/unit/tracking/test_rules.py holds it to tables of cases.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from common import geo
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


def public_answers(complaint: Complaint) -> list[TimelineEntry]:
    """Return the timeline entries whose note the public may read (public_note), oldest first."""
    return [entry for entry in complaint.get("timeline", []) if public_note(complaint, entry)]


def public_photos(complaint: Complaint) -> list[dict]:
    """Return the documents the public may see of a complaint: the photos its citizen sent, by their copies.

    Only with the consent to publish, and only the citizen's: a staff member's documents are the
    district's working papers, which nobody consented to publish. Only the copies made for showing
    (no metadata, no GPS position) are ever served, never the original.
    """
    if not published(complaint):
        return []
    return [d for d in complaint.get("documents", []) if d.get("copies") and d.get("by") == Actor.CITIZEN]


# The public reports' status filter: a status, or one of the two groups Open311 knows as open and
# closed (`done`: "closed" is a status of its own).
STATUS_GROUPS: dict[str, tuple[Status, ...]] = {"open": OPEN_STATUSES, "done": PUBLICLY_CLOSED}


def statuses_of(wanted: str | None) -> tuple[Status, ...]:
    """Return the statuses a public reports' filter names: a group's, one, or every status (None)."""
    if not wanted:
        return tuple(Status)
    return STATUS_GROUPS.get(wanted) or (Status(wanted),)


# ---- alerts for a place: which new published reports go to whom, and the weekly digest ------------

ALERT_RADIUS_M = (100, 5000)  # the radius a subscriber may choose around their point, in metres
# The widest box of a point alert in degrees of latitude: how far below a report's point the store's
# range on `lat_min` reaches (alerts_store.confirmed_around).
ALERT_LAT_SPAN = 2.002 * ALERT_RADIUS_M[1] / 1000 / geo.KM_PER_DEGREE
DIGEST_EVERY = timedelta(days=7)
DIGEST_SHOWN = 50  # the reports one digest lists, newest first; it says how many there were
# What an alert's email may say of a report: never anything of its citizen.
REPORT_FIELDS = ("kind", "category", "category_name", "district", "status", "subject", "submitted_at")


def alert_box(lat: float, lon: float, radius_m: int) -> dict[str, float]:
    """Return the box, in degrees, holding a point alert's circle: the store's prefilter of its reports.

    Its longitude is widened at the circle's latitude nearest a pole, and a hair more each way, so
    that no point of the circle falls outside; a circle across the antimeridian is cut there (a
    city's alerts are not).
    """
    dlat = radius_m * 1.001 / 1000 / geo.KM_PER_DEGREE
    shrink = max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 0.001)
    dlon = min(dlat / shrink, 180.0)
    return {
        "lat_min": max(lat - dlat, -90.0),
        "lat_max": min(lat + dlat, 90.0),
        "lon_min": max(lon - dlon, -180.0),
        "lon_max": min(lon + dlon, 180.0),
    }


def report_of(complaint: Complaint, district_name: dict | None = None) -> dict | None:
    """Return what alerts may tell of a new complaint, or None unless its citizen consented to publish it."""
    if not published(complaint):
        return None
    return {
        "number": complaint["_id"],
        **{key: complaint.get(key) for key in REPORT_FIELDS},
        "district_name": district_name,
    }


def alert_match(alert: dict, report: dict, location: dict | None) -> dict | None:
    """Return how a confirmed alert matches a new report (`distance_m` from its point), or None.

    A district alert takes its district's reports; a point alert, those whose point is within its
    radius (haversine). Neither takes a report filed before the alert was confirmed.
    """
    if alert.get("since") is None or report["submitted_at"] < alert["since"]:
        return None
    if alert.get("district"):
        return {"distance_m": None} if report.get("district") == alert["district"] else None
    if not location or alert.get("lat") is None:
        return None
    km = geo.distance_km(alert["lat"], alert["lon"], location["lat"], location["lon"])
    return {"distance_m": round(km * 1000)} if km * 1000 <= alert["radius_m"] else None


def next_digest(due: datetime, now: datetime) -> datetime:
    """Return when a weekly digest comes next after the one due at `due`: a week on, after `now`.

    A platform stopped for weeks sends one digest, of everything collected, not one per week missed.
    """
    return due + DIGEST_EVERY * (max(0, (now - due) // DIGEST_EVERY) + 1)


def digest_reports(collected: dict[str, dict], now_known: dict[str, Complaint]) -> list[dict]:
    """Return the reports a digest lists: those still published, with their status now, newest first.

    `collected` are the reports as matched, by number; `now_known` the same complaints as they are
    now: one whose consent was withdrawn since (anonymised) or that is gone is left out.
    """
    kept = [
        {**report, "status": now_known[number]["status"]}
        for number, report in collected.items()
        if number in now_known and published(now_known[number])
    ]
    return sorted(kept, key=lambda r: (r["submitted_at"], r["number"]), reverse=True)
