"""What tracking publishes: the events of its complaints' changes and of its staff accounts."""

from __future__ import annotations

import uuid
from datetime import datetime

from common.envelope import isoformat, new_event
from common.vocabulary import Actor, EventType, Language
from services.tracking.model import Complaint

SOURCE = "tracking"


def _event(type_: EventType, complaint: Complaint, **data) -> dict:
    base = {
        "number": complaint["_id"],
        "district": complaint["district"],
        "category": complaint["category"],
        "department": complaint.get("department"),
    }
    clean = {key: isoformat(value) if isinstance(value, datetime) else value for key, value in data.items()}
    return new_event(type_, source=SOURCE, subject=complaint["_id"], data={**base, **clean})


def status_changed(
    complaint: Complaint,
    *,
    previous: str,
    status: str,
    at: datetime,
    by: str,
    note: str | None,
    reason: str | None,
    reopen_until: datetime | None,
) -> dict:
    """Return complaint.status_changed: the public note and reason only, never the internal note.

    `reopen_until` is the outcome of tracking's rule (rules.reopen_until): until when the citizen
    may reopen, or None when they may not, so that no other service derives it. `published` says
    whether the citizen consented to publish the complaint (then its followers are told the city's
    public note), and `duplicate_of` names the complaint a merge closed it into.
    """
    return _event(
        EventType.STATUS_CHANGED,
        complaint,
        previous=previous,
        status=status,
        at=at,
        by=by,
        public_note=note,
        reason=reason,
        answer_due=complaint["answer_due"],
        reopen_count=complaint.get("reopen_count", 0),
        reopen_until=reopen_until,
        published=complaint.get("publish") is True,
        duplicate_of=complaint.get("duplicate_of"),
    )


def reopened(complaint: Complaint, *, reason: str, at: datetime, count: int, answer_due: datetime) -> dict:
    """Return complaint.reopened."""
    return _event(
        EventType.REOPENED, complaint, reason=reason, at=at, reopen_count=count, answer_due=answer_due
    )


def document_added(complaint: Complaint, document: dict) -> dict:
    """Return complaint.document_added."""
    return _event(
        EventType.DOCUMENT_ADDED,
        complaint,
        document={
            "id": document["id"],
            "filename": document["filename"],
            "content_type": document["content_type"],
            "size": document["size"],
        },
        by=document["by"],
        at=document["added_at"],
    )


def remark_added(complaint: Complaint, remark: dict) -> dict:
    """Return complaint.remark_added."""
    return _event(
        EventType.REMARK_ADDED,
        complaint,
        remark_id=remark["id"],
        text=remark["text"],
        by=remark["by"],
        at=remark["at"],
    )


def assigned(complaint: Complaint, assignment: dict) -> dict:
    """Return complaint.assigned."""
    return _event(
        EventType.ASSIGNED,
        complaint,
        assigned_department=assignment.get("department"),
        agent=assignment.get("agent"),
        at=assignment["at"],
    )


def placed(complaint: Complaint, *, previous: str | None, district_name: dict, at: datetime, by: str) -> dict:
    """Return complaint.placed: staff placed the complaint in a district (it had none, or another)."""
    return _event(
        EventType.PLACED,
        complaint,
        previous_district=previous,
        district_name=district_name,
        at=at,
        by=by,
    )


def _follower(follower_id: str, follower: dict) -> dict:
    return {"id": follower_id, "email": follower["email"], "language": follower["language"]}


def follow_requested(complaint: Complaint, *, follower_id: str, follower: dict) -> dict:
    """Return complaint.follow_requested: an address asked to follow, and must confirm (personal data)."""
    return _event(
        EventType.FOLLOW_REQUESTED,
        complaint,
        follower=_follower(follower_id, follower),
        at=follower["requested_at"],
        expires_at=follower["expires_at"],
    )


def followed(complaint: Complaint, *, follower_id: str, follower: dict) -> dict:
    """Return complaint.followed: someone is to be emailed at each step (personal data: their email)."""
    return _event(
        EventType.FOLLOWED,
        complaint,
        follower=_follower(follower_id, follower),
        via=follower["via"],
        merged_from=follower.get("merged_from"),
        moved_from=follower.get("moved_from"),
        at=follower["since"],
    )


def unfollowed(complaint: Complaint, *, follower_id: str, at: datetime, reason: str = "unfollowed") -> dict:
    """Return complaint.unfollowed: a follower is emailed no more (they asked, or their data was erased)."""
    return _event(EventType.UNFOLLOWED, complaint, follower_id=follower_id, at=at, reason=reason)


def merged(complaint: Complaint, *, into: str, at: datetime, followers: int) -> dict:
    """Return complaint.merged: staff closed the complaint as a duplicate of another, kept one.

    `followers` is how many of the duplicate's followers (its citizen aside) now follow the kept one.
    """
    return _event(EventType.MERGED, complaint, into=into, at=at, by=Actor.STAFF, followers_moved=followers)


def anonymised(complaint: Complaint, *, at: datetime, reason: str, followers_removed: bool) -> dict:
    """Return complaint.anonymised: its citizen's data is gone; every service erases its copy.

    `followers_removed`: a closed complaint's followers go with it; an open one keeps them.
    """
    return _event(EventType.ANONYMISED, complaint, at=at, reason=reason, followers_removed=followers_removed)


def feedback_given(complaint: Complaint, rating: dict) -> dict:
    """Return complaint.feedback_given: the citizen's rating of one answer."""
    return _event(
        EventType.FEEDBACK_GIVEN,
        complaint,
        answer=rating["answer"],
        satisfaction=rating["satisfaction"],
        outcome=rating["outcome"],
        comment=rating["comment"],
        at=rating["at"],
    )


def overdue(complaint: Complaint, *, deadline: str, due: datetime, at: datetime) -> dict:
    """Return complaint.overdue, once per deadline."""
    return _event(EventType.OVERDUE, complaint, deadline=deadline, due=due, status=complaint["status"], at=at)


def member_changed(account: dict) -> dict:
    """Return staff.member_changed: who works where, and where to email them (never the password)."""
    data = {
        "username": account["_id"],
        "role": account["role"],
        "districts": account["districts"],
        "name": account.get("name"),
        "email": account.get("email"),
        "language": account.get("language", Language.FR),
        "active": account.get("active", True),
    }
    return new_event(EventType.MEMBER_CHANGED, source=SOURCE, subject=account["_id"], data=data)


# ---- alerts for a place -------------------------------------------------------------------------

# The namespace of the ids derived from what an event is about (uuid5): the same report matched
# again for the same subscriber, or the same week's digest, is the same event, which notification
# sends once.
ALERT_EVENTS = uuid.UUID("5f0c6a2e-8b1d-4e0f-9a57-3c2d1b0e4f68")


def _times(data: dict) -> dict:
    return {key: isoformat(value) if isinstance(value, datetime) else value for key, value in data.items()}


def _subscriber(alert: dict) -> dict:
    """Return the subscription as its events name it: its address (personal data) and its place."""
    fields = ("email", "language", "frequency", "district", "district_name", "lat", "lon", "radius_m")
    return {"id": alert["_id"], **{key: alert.get(key) for key in fields}}


def _alert_event(type_: EventType, alert: dict, *, about: str | None = None, **data) -> dict:
    event = new_event(
        type_, source=SOURCE, subject=alert["_id"], data={"alert": _subscriber(alert), **_times(data)}
    )
    if about is not None:
        event["id"] = str(uuid.uuid5(ALERT_EVENTS, f"{type_}:{alert['_id']}:{about}"))
    return event


def alert_requested(alert: dict) -> dict:
    """Return alert.requested: an address asked for alerts and must confirm (personal data)."""
    return _alert_event(
        EventType.ALERT_REQUESTED, alert, at=alert["requested_at"], expires_at=alert["expires_at"]
    )


def alert_matched(alert: dict, report: dict, distance_m: int | None, at: datetime) -> dict:
    """Return alert.matched: a new published report for one subscriber who asked for each (one event each)."""
    return _alert_event(
        EventType.ALERT_MATCHED,
        alert,
        about=report["number"],
        number=report["number"],
        report=_times(report),
        distance_m=distance_m,
        at=at,
    )


def alert_digest_compiled(
    alert: dict, reports: list[dict], *, total: int, since: datetime, until: datetime
) -> dict:
    """Return alert.digest_compiled: a weekly subscriber's reports of the week, newest first."""
    return _alert_event(
        EventType.ALERT_DIGEST_COMPILED,
        alert,
        about=isoformat(until),
        reports=[_times(report) for report in reports],
        total=total,
        since=since,
        until=until,
    )
