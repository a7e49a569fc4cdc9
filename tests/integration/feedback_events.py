"""The events feedback's figures are made of, as intake and tracking publish them, and their delivery."""

from __future__ import annotations

from datetime import timedelta

from common.envelope import isoformat, new_event
from services.feedback import store
from services.feedback.app import create_app
from services.feedback.handlers import HANDLERS

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def submitted(number, district, category, at, answer_days=60):
    return new_event(
        "complaint.submitted",
        source="intake",
        subject=number,
        data={
            "number": number,
            "kind": "complaint",
            "category": category,
            "district": district,
            "subject": "Sujet",
            "description": "Description",
            "citizen": {"name": "Nadia Bennani", "email": "nadia@example.ma", "phone": "+212600000000"},
            "submitted_at": isoformat(at),
            "ack_due": isoformat(at + 15 * DAY),
            "answer_due": isoformat(at + answer_days * DAY),
        },
    )


def changed(number, previous, status, at, reopen_count=0):
    return new_event(
        "complaint.status_changed",
        source="tracking",
        subject=number,
        data={
            "number": number,
            "district": "x",
            "category": "y",
            "previous": previous,
            "status": status,
            "at": isoformat(at),
            "by": "staff",
            "reopen_count": reopen_count,
        },
    )


def reopened(number, at, count):
    return new_event(
        "complaint.reopened",
        source="tracking",
        subject=number,
        data={"number": number, "reason": "Toujours là", "at": isoformat(at), "reopen_count": count},
    )


def rated(number, answer, satisfaction, outcome, at):
    return new_event(
        "complaint.feedback_given",
        source="tracking",
        subject=number,
        data={
            "number": number,
            "answer": answer,
            "satisfaction": satisfaction,
            "outcome": outcome,
            "comment": "Merci Nadia",
            "at": isoformat(at),
        },
    )


def deliver(events: list[dict]) -> None:
    for event in events:
        HANDLERS[event["type"]](event)


def empty_figures(db) -> None:
    """Make feedback's indexes on the run's store and empty its figures."""
    store.ensure_indexes(db)
    for name in (store.COMPLAINTS, store.CELLS, store.MONTHS):
        db[name].delete_many({})


def figures_client(db):
    """Return feedback's test client on the run's store, its figures emptied."""
    empty_figures(db)
    return create_app({"TESTING": True}).test_client()
