"""The events feedback counts: submissions, placements, status changes, reopenings, ratings, merges."""

from __future__ import annotations

from common import mongo
from services.feedback import domain
from services.feedback.schemas import (
    FeedbackGivenSchema,
    MergedSchema,
    PlacedSchema,
    ReopenedSchema,
    StatusChangedSchema,
    SubmittedSchema,
)


def _handler(schema, facts):
    def handle(event: dict) -> None:
        data = schema.load(event["data"])
        domain.observe(mongo.database(), data["number"], facts(data))

    handle.__name__ = f"on_{type(schema).__name__.removesuffix('Schema').lower()}"
    return handle


HANDLERS = {
    "complaint.submitted": _handler(SubmittedSchema(), domain.submitted),
    "complaint.status_changed": _handler(StatusChangedSchema(), domain.status_changed),
    "complaint.reopened": _handler(ReopenedSchema(), lambda data: domain.reopenings(data["reopen_count"])),
    "complaint.feedback_given": _handler(FeedbackGivenSchema(), domain.rated),
    "complaint.placed": _handler(PlacedSchema(), domain.placed),
    "complaint.merged": _handler(MergedSchema(), domain.merged),
}
