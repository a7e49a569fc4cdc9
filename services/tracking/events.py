"""What tracking publishes, and the events it consumes."""

from __future__ import annotations

from datetime import datetime

from common import mongo
from common.envelope import isoformat, new_event
from services.tracking.schemas import SubmittedSchema

SOURCE = "tracking"


def _event(type_: str, complaint: dict, **data) -> dict:
    base = {
        "number": complaint["_id"],
        "district": complaint["district"],
        "category": complaint["category"],
        "department": complaint.get("department"),
    }
    clean = {key: isoformat(value) if isinstance(value, datetime) else value for key, value in data.items()}
    return new_event(type_, source=SOURCE, subject=complaint["_id"], data={**base, **clean})


def status_changed(
    complaint: dict,
    *,
    previous: str,
    status: str,
    at: datetime,
    by: str,
    note: str | None,
    reason: str | None,
) -> dict:
    """Return complaint.status_changed: the public note and reason only, never the internal note.

    `published` says whether the citizen consented to publish the complaint (then its followers
    are told the city's public note), and `duplicate_of` names the complaint a merge closed it into.
    """
    return _event(
        "complaint.status_changed",
        complaint,
        previous=previous,
        status=status,
        at=at,
        by=by,
        public_note=note,
        reason=reason,
        answer_due=complaint["answer_due"],
        reopen_count=complaint.get("reopen_count", 0),
        published=complaint.get("publish") is True,
        duplicate_of=complaint.get("duplicate_of"),
    )


def reopened(complaint: dict, *, reason: str, at: datetime, count: int, answer_due: datetime) -> dict:
    """Return complaint.reopened."""
    return _event(
        "complaint.reopened", complaint, reason=reason, at=at, reopen_count=count, answer_due=answer_due
    )


def document_added(complaint: dict, document: dict) -> dict:
    """Return complaint.document_added."""
    return _event(
        "complaint.document_added",
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


def remark_added(complaint: dict, remark: dict) -> dict:
    """Return complaint.remark_added."""
    return _event(
        "complaint.remark_added",
        complaint,
        remark_id=remark["id"],
        text=remark["text"],
        by=remark["by"],
        at=remark["at"],
    )


def assigned(complaint: dict, assignment: dict) -> dict:
    """Return complaint.assigned."""
    return _event(
        "complaint.assigned",
        complaint,
        assigned_department=assignment.get("department"),
        agent=assignment.get("agent"),
        at=assignment["at"],
    )


def placed(complaint: dict, *, previous: str | None, district_name: dict, at: datetime, by: str) -> dict:
    """Return complaint.placed: staff placed the complaint in a district (it had none, or another)."""
    return _event(
        "complaint.placed",
        complaint,
        previous_district=previous,
        district_name=district_name,
        at=at,
        by=by,
    )


def _follower(follower_id: str, follower: dict) -> dict:
    return {"id": follower_id, "email": follower["email"], "language": follower["language"]}


def follow_requested(complaint: dict, *, follower_id: str, follower: dict) -> dict:
    """Return complaint.follow_requested: an address asked to follow, and must confirm (personal data)."""
    return _event(
        "complaint.follow_requested",
        complaint,
        follower=_follower(follower_id, follower),
        at=follower["requested_at"],
        expires_at=follower["expires_at"],
    )


def followed(complaint: dict, *, follower_id: str, follower: dict) -> dict:
    """Return complaint.followed: someone is to be emailed at each step (personal data: their email)."""
    return _event(
        "complaint.followed",
        complaint,
        follower=_follower(follower_id, follower),
        via=follower["via"],
        merged_from=follower.get("merged_from"),
        moved_from=follower.get("moved_from"),
        at=follower["since"],
    )


def unfollowed(complaint: dict, *, follower_id: str, at: datetime, reason: str = "unfollowed") -> dict:
    """Return complaint.unfollowed: a follower is emailed no more (they asked, or their data was erased)."""
    return _event("complaint.unfollowed", complaint, follower_id=follower_id, at=at, reason=reason)


def merged(complaint: dict, *, into: str, at: datetime, followers: int) -> dict:
    """Return complaint.merged: staff closed the complaint as a duplicate of another, kept one.

    `followers` is how many of the duplicate's followers (its citizen aside) now follow the kept one.
    """
    return _event("complaint.merged", complaint, into=into, at=at, by="staff", followers_moved=followers)


def anonymised(complaint: dict, *, at: datetime, reason: str, followers_removed: bool) -> dict:
    """Return complaint.anonymised: its citizen's data is gone; every service erases its copy.

    `followers_removed`: a closed complaint's followers go with it; an open one keeps them.
    """
    return _event(
        "complaint.anonymised", complaint, at=at, reason=reason, followers_removed=followers_removed
    )


def feedback_given(complaint: dict, rating: dict) -> dict:
    """Return complaint.feedback_given: the citizen's rating of one answer."""
    return _event(
        "complaint.feedback_given",
        complaint,
        answer=rating["answer"],
        satisfaction=rating["satisfaction"],
        outcome=rating["outcome"],
        comment=rating["comment"],
        at=rating["at"],
    )


def overdue(complaint: dict, *, deadline: str, due: datetime, at: datetime) -> dict:
    """Return complaint.overdue, once per deadline."""
    return _event(
        "complaint.overdue", complaint, deadline=deadline, due=due, status=complaint["status"], at=at
    )


def member_changed(account: dict) -> dict:
    """Return staff.member_changed: who works where, and where to email them (never the password)."""
    data = {
        "username": account["_id"],
        "role": account["role"],
        "districts": account["districts"],
        "name": account.get("name"),
        "email": account.get("email"),
        "language": account.get("language", "fr"),
        "active": account.get("active", True),
    }
    return new_event("staff.member_changed", source=SOURCE, subject=account["_id"], data=data)


_submitted = SubmittedSchema()


def on_submitted(event: dict) -> None:
    """Record a new complaint so that its citizen can track it."""
    from services.tracking import domain

    domain.record_submitted(mongo.database(), _submitted.load(event["data"]), event["id"])


def on_notification_sent(event: dict) -> None:
    """Show on the complaint's timeline when its citizen was told of a step."""
    from services.tracking import domain

    data = event["data"]
    if data.get("recipient_role") == "citizen" and data.get("trigger_id") and data.get("number"):
        domain.record_notified(mongo.database(), data["number"], data["trigger_id"], event["time"])


HANDLERS = {"complaint.submitted": on_submitted, "notification.sent": on_notification_sent}
