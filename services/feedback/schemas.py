"""What feedback reads: the figures' filters and the events it counts (never personal data)."""

from __future__ import annotations

import re

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from common.schemas import StrictSchema, Text
from services.feedback import rules

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
# A district or category is named by its catalogue code; the figures' export file is named by them.
CODE = validate.Regexp(
    r"^[a-z0-9][a-z0-9-]{0,63}\Z", error="A catalogue code: lowercase letters, digits, dashes."
)


class Month(fields.String):
    """A month, `YYYY-MM`; a day (`YYYY-MM-DD`) stands for its month, since figures are by month."""

    default_error_messages = {"invalid": "A month, YYYY-MM (or a day, YYYY-MM-DD, for its month)."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _PERIOD.match(value.strip()):
            raise self.make_error("invalid")
        return value.strip()[:7]


class StatsQuerySchema(StrictSchema):
    district = Text(validate=CODE, load_default=None)
    category = Text(validate=CODE, load_default=None)
    # "from" is a Python keyword: the attribute is renamed, the parameter is not.
    from_ = Month(data_key="from", load_default=None)
    to = Month(load_default=None)

    @validates_schema
    def _ordered(self, data, **_kwargs):
        if data.get("from_") and data.get("to") and data["from_"] > data["to"]:
            raise ValidationError("The period ends before it starts.", field_name="to")


class _Event(Schema):
    class Meta:
        unknown = EXCLUDE

    number = fields.String(required=True)


class SubmittedSchema(_Event):
    kind = fields.String(required=True)
    category = fields.String(required=True)
    district = fields.String(required=True, allow_none=True)
    submitted_at = fields.AwareDateTime(required=True)
    ack_due = fields.AwareDateTime(required=True)
    answer_due = fields.AwareDateTime(required=True)


class PlacedSchema(_Event):
    district = fields.String(required=True)
    at = fields.AwareDateTime(required=True)


class StatusChangedSchema(_Event):
    previous = fields.String(required=True)
    status = fields.String(required=True)
    at = fields.AwareDateTime(required=True)
    reopen_count = fields.Integer(load_default=0)


class ReopenedSchema(_Event):
    reopen_count = fields.Integer(required=True)


class FeedbackGivenSchema(_Event):
    answer = fields.Integer(required=True)
    satisfaction = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    outcome = fields.String(required=True, validate=validate.OneOf(rules.OUTCOMES))
    at = fields.AwareDateTime(required=True)


class MergedSchema(_Event):
    into = fields.String(required=True)
