"""What intake publishes."""

from __future__ import annotations

from common.envelope import isoformat, new_event

SOURCE = "intake"


def complaint_submitted(complaint: dict, category: dict, district: dict | None) -> dict:
    """Return the complaint.submitted event: the whole complaint, as the other services need it.

    `district` is None for an Open311 request that staff will place.
    """
    data = {
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
    return new_event("complaint.submitted", source=SOURCE, subject=complaint["_id"], data=data)


def on_anonymised(event: dict) -> None:
    """Erase the citizen's data from the complaint as it was submitted (its retention has ended)."""
    from common import mongo
    from services.intake import store

    store.anonymise(mongo.database(), event["data"]["number"])


HANDLERS = {"complaint.anonymised": on_anonymised}
