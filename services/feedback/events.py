"""The events feedback consumes."""

from __future__ import annotations

from common import mongo
from services.feedback import domain
from services.feedback.schemas import SubmittedSchema

_submitted = SubmittedSchema()


def on_submitted(event: dict) -> None:
    """Count a new complaint."""
    domain.record_submitted(mongo.database(), _submitted.load(event["data"]))


HANDLERS = {"complaint.submitted": on_submitted}
