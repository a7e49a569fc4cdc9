"""The events tracking consumes."""

from __future__ import annotations

from common import mongo
from services.tracking import domain
from services.tracking.schemas import SubmittedSchema

_submitted = SubmittedSchema()


def on_submitted(event: dict) -> None:
    """Record a new complaint so that its citizen can track it."""
    domain.record_submitted(mongo.database(), _submitted.load(event["data"]))


HANDLERS = {"complaint.submitted": on_submitted}
