"""What intake publishes: complaint.submitted, the whole complaint as the other services need it."""

from __future__ import annotations

from collections.abc import Mapping

from common.envelope import isoformat, new_event
from common.vocabulary import EventType
from services.intake.model import Complaint, SubmittedData

SOURCE = "intake"


def complaint_submitted(complaint: Complaint, category: Mapping, district: Mapping | None) -> dict:
    """Return the complaint.submitted event of a filed complaint, with the catalogue's names.

    `district` is None for an Open311 request that staff will place.
    """
    data: SubmittedData = {
        "number": complaint["_id"],
        "kind": complaint["kind"],
        "category": complaint["category"],
        "category_name": category["name"],
        "department": category["department"],
        "district": complaint["district"],
        "district_name": district["name"] if district else None,
        "subject": complaint["subject"],
        "description": complaint["description"],
        "address": complaint["address"],
        "location": complaint["location"],
        "nearest_district": complaint.get("nearest_district"),
        "citizen": complaint["citizen"],
        "publish": complaint.get("publish", False),
        "submitted_at": isoformat(complaint["submitted_at"]),
        "ack_due": isoformat(complaint["ack_due"]),
        "answer_due": isoformat(complaint["answer_due"]),
        "ack_days": category["ack_days"],
        "answer_days": category["answer_days"],
        "documents": complaint.get("documents", []),
        "channel": complaint["channel"]["via"],
        "media_url": complaint["channel"].get("media_url"),
    }
    return new_event(EventType.SUBMITTED, source=SOURCE, subject=complaint["_id"], data=data)
