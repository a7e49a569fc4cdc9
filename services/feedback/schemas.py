"""What feedback reads: the figures' filters and the events it counts."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from common.schemas import StrictSchema, Text


class StatsQuerySchema(StrictSchema):
    district = Text(validate=validate.Length(max=64), load_default=None)
    category = Text(validate=validate.Length(max=64), load_default=None)
    # "from" is a Python keyword: the attribute is renamed, the parameter is not.
    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)


class SubmittedSchema(Schema):
    """The fields of complaint.submitted that feedback counts (no personal data)."""

    class Meta:
        unknown = EXCLUDE

    number = fields.String(required=True)
    kind = fields.String(required=True)
    category = fields.String(required=True)
    district = fields.String(required=True)
    submitted_at = fields.AwareDateTime(required=True)
    ack_due = fields.AwareDateTime(required=True)
    answer_due = fields.AwareDateTime(required=True)
