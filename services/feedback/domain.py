"""Feedback's rules: the quality figures, computed from the events it has seen."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from pymongo.database import Database

from services.feedback import store


def record_submitted(db: Database, data: dict) -> None:
    """Count a new complaint in the figures."""
    submitted = data["submitted_at"].astimezone(UTC)
    store.record_submission(
        db,
        number=data["number"],
        facts={
            "kind": data["kind"],
            "category": data["category"],
            "district": data["district"],
            "submitted_at": submitted,
            "month": submitted.strftime("%Y-%m"),
            "ack_due": data["ack_due"],
            "answer_due": data["answer_due"],
        },
    )


def figures(db: Database, query: dict) -> dict:
    """Return the figures for the filters, in total and by month."""
    match: dict = {}
    for key in ("district", "category"):
        if query.get(key):
            match[key] = query[key]
    period = {}
    if query.get("from_"):
        period["$gte"] = datetime.combine(query["from_"], time.min, UTC)
    if query.get("to"):
        period["$lt"] = datetime.combine(query["to"] + timedelta(days=1), time.min, UTC)
    if period:
        match["submitted_at"] = period
    months = store.received_by_month(db, match)
    return {
        "filters": {
            "district": query.get("district"),
            "category": query.get("category"),
            "from": query["from_"].isoformat() if query.get("from_") else None,
            "to": query["to"].isoformat() if query.get("to") else None,
        },
        "received": sum(m["received"] for m in months),
        "by_month": months,
    }
