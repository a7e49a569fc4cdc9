"""The events feedback counts: submissions, placements, status changes, reopenings, ratings, merges."""

from __future__ import annotations

from collections.abc import Callable

from marshmallow import Schema

from common import mongo
from common.vocabulary import EventType
from services.feedback import counting, rules
from services.feedback.model import FactsChange
from services.feedback.schemas import (
    FeedbackGivenSchema,
    MergedSchema,
    PlacedSchema,
    ReopenedSchema,
    StatusChangedSchema,
    SubmittedSchema,
)


def _handler(schema: Schema, facts: Callable[[dict], FactsChange]) -> Callable[[dict], None]:
    """Return the handler that reads an event's data with the schema and counts the facts it brings."""

    def handle(event: dict) -> None:
        data = schema.load(event["data"])
        counting.observe(mongo.database(), data["number"], facts(data))

    handle.__name__ = f"on_{type(schema).__name__.removesuffix('Schema').lower()}"
    return handle


HANDLERS = {
    EventType.SUBMITTED: _handler(SubmittedSchema(), rules.submitted),
    EventType.STATUS_CHANGED: _handler(StatusChangedSchema(), rules.status_changed),
    EventType.REOPENED: _handler(ReopenedSchema(), lambda data: rules.reopenings(data["reopen_count"])),
    EventType.FEEDBACK_GIVEN: _handler(FeedbackGivenSchema(), rules.rated),
    EventType.PLACED: _handler(PlacedSchema(), rules.placed),
    EventType.MERGED: _handler(MergedSchema(), rules.merged),
}
