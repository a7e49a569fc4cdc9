"""The events notification consumes."""

from __future__ import annotations

from common import mongo
from services.notification import domain


def on_submitted(event: dict) -> None:
    """Acknowledge receipt to the citizen."""
    domain.acknowledgement(mongo.database(), event)


HANDLERS = {"complaint.submitted": on_submitted}
