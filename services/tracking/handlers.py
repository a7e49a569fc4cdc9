"""The events tracking consumes: a submission to record, and an email told to a citizen."""

from __future__ import annotations

from datetime import datetime

from pymongo.database import Database

from common import mongo
from common.envelope import utcnow
from common.vocabulary import Actor, Channel, EventType, Status
from services.tracking import alerts, nearby, store
from services.tracking.model import Changes, Complaint
from services.tracking.rules import normalize_email
from services.tracking.schemas import SubmittedSchema

_submitted = SubmittedSchema()
# What tracking takes as it is from complaint.submitted.
COPIED = (
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


def submitted_document(data: dict, event_id: str | None = None) -> Complaint:
    """Return the complaint as tracking first records it, from its submitted event's data."""
    citizen = data["citizen"]
    submitted = data["submitted_at"]
    return {
        "_id": data["number"],
        **{key: data[key] for key in COPIED},
        "nearest_district": data.get("nearest_district"),
        **nearby.keys(data.get("location"), data.get("address")),
        "category_name": data.get("category_name"),
        "channel": data.get("channel") or Channel.WEB,
        "media_url": data.get("media_url"),
        "citizen": citizen,
        "publish": data.get("publish") is True,
        "email_key": normalize_email(citizen.get("email") or ""),
        "status": Status.RECEIVED,
        "submitted_at": submitted,
        "updated_at": submitted,
        "timeline": [
            {
                "at": submitted,
                "status": Status.RECEIVED,
                "note": None,
                "by": Actor.CITIZEN,
                "event_id": event_id,
            }
        ],
        "documents": [{**d, "added_at": submitted, "by": Actor.CITIZEN} for d in data.get("documents", [])],
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


def record_submitted(db: Database, data: dict, event_id: str | None = None) -> bool:
    """Record a complaint from its submitted event; idempotent."""
    return store.record_submission(db, document=submitted_document(data, event_id))


def record_notified(db: Database, number: str, trigger_id: str, at: str) -> None:
    """Mark the timeline entry whose event the citizen was emailed about; a no-op when unknown."""
    if store.find_by_number(db, number) is None:
        return

    def change(complaint: Complaint, _now: datetime) -> Changes:
        timeline = complaint.get("timeline", [])
        if not any(e.get("event_id") == trigger_id and "notified_at" not in e for e in timeline):
            return {}
        notified = datetime.fromisoformat(at)
        marked = [{**e, "notified_at": notified} if e.get("event_id") == trigger_id else e for e in timeline]
        return {"set": {"timeline": marked}}

    store.apply(db, number, change, touch=False)


def on_submitted(event: dict) -> None:
    """Record a new complaint so that its citizen can track it; tell the alerts it matches if published."""
    db, data = mongo.database(), _submitted.load(event["data"])
    document = submitted_document(data, event["id"])
    store.record_submission(db, document=document)
    alerts.tell(db, document, data.get("district_name"))  # again when redelivered: sent once all the same


def on_notification_sent(event: dict) -> None:
    """Show on the complaint's timeline when its citizen was told of a step."""
    data = event["data"]
    if data.get("recipient_role") == Actor.CITIZEN and data.get("trigger_id") and data.get("number"):
        record_notified(mongo.database(), data["number"], data["trigger_id"], event["time"])


def on_placed(event: dict) -> None:
    """Tell the alerts of a complaint's new district when staff place it (an Open311 request that came
    without one, or a correction): its district's subscribers are told of it then, each once."""
    db, data = mongo.database(), event["data"]
    complaint = store.find_by_number(db, data["number"])
    if complaint is not None and complaint.get("district") == data["district"]:  # not moved on since
        alerts.tell(db, complaint, data.get("district_name"))


HANDLERS = {
    EventType.SUBMITTED: on_submitted,
    EventType.PLACED: on_placed,
    EventType.NOTIFICATION_SENT: on_notification_sent,
}
