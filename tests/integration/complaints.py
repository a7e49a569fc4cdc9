"""A submitted complaint's data as tracking records it, for tests that need complaints in the store."""

from __future__ import annotations

import uuid
from datetime import timedelta

from common.envelope import utcnow


def submission(*, days_ago: float = 0, ack_days: int = 15, answer_days: int = 60, **changes) -> dict:
    """Return the data of a complaint.submitted with a fresh number, submitted `days_ago`."""
    at = utcnow() - timedelta(days=days_ago)
    return {
        "number": f"RC-2026-{uuid.uuid4().hex[:7].upper()}",
        "kind": "complaint",
        "category": "roads",
        "department": "roads",
        "district": "anfa",
        "subject": "s",
        "description": "d",
        "address": None,
        "location": None,
        "citizen": {"email": "a@example.ma", "language": "fr"},
        "submitted_at": at,
        "ack_due": at + timedelta(days=ack_days),
        "answer_due": at + timedelta(days=answer_days),
        "answer_days": answer_days,
        "documents": [],
        **changes,
    }
