"""Intake's rules: a valid complaint gets a number, deadlines, and its submitted event."""

from __future__ import annotations

from datetime import timedelta

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import outbox
from common.envelope import isoformat, utcnow
from services.intake import events, numbers, store
from services.intake.catalog import KINDS
from services.intake.schemas import check_catalogue


def catalog_view(db: Database) -> dict:
    """Return the public catalogue: kinds, active districts and categories."""
    current = store.active_catalog(db)
    return {
        "kinds": list(KINDS),
        "districts": [{"code": code, "name": d["name"]} for code, d in current["districts"].items()],
        "categories": [
            {
                "code": code,
                "name": c["name"],
                "department": c["department"],
                "ack_days": c["ack_days"],
                "answer_days": c["answer_days"],
            }
            for code, c in current["categories"].items()
        ],
    }


def submit(db: Database, data: dict) -> dict:
    """Record a validated complaint with its event, publish it, and return the receipt."""
    current = store.active_catalog(db)
    check_catalogue(data, current["districts"], current["categories"])
    category = current["categories"][data["category"]]
    district = current["districts"][data["district"]]
    now = utcnow()
    base = {
        **{
            key: data[key]
            for key in (
                "kind",
                "category",
                "district",
                "subject",
                "description",
                "address",
                "location",
                "citizen",
            )
        },
        "department": category["department"],
        "consent": {"given": True, "at": now},
        "submitted_at": now,
        "ack_due": now + timedelta(days=category["ack_days"]),
        "answer_due": now + timedelta(days=category["answer_days"]),
    }
    for _ in range(8):
        document = {"_id": numbers.generate(now.year), **base}
        event = events.complaint_submitted(document, category, district)
        try:
            store.create_complaint(db, document=document, events=[event])
            break
        except DuplicateKeyError:
            continue  # a number already given: draw another
    else:
        raise RuntimeError("no free complaint number after 8 draws")
    outbox.publish_now(db[store.COMPLAINTS], document["_id"], [event])
    return {
        "number": document["_id"],
        "status": "received",
        "submitted_at": isoformat(now),
        "ack_due": isoformat(document["ack_due"]),
        "answer_due": isoformat(document["answer_due"]),
    }
