"""What tracking reads: the tracking request and the events it records."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from common.schemas import StrictSchema, Text


class TrackingRequestSchema(StrictSchema):
    number = Text(required=True, validate=validate.Length(min=1, max=40))
    email = Text(required=True, validate=validate.Length(min=3, max=254))


class SubmittedSchema(Schema):
    """The fields of complaint.submitted that tracking uses (a tolerant reader)."""

    class Meta:
        unknown = EXCLUDE

    number = fields.String(required=True)
    kind = fields.String(required=True)
    category = fields.String(required=True)
    department = fields.String(load_default=None)
    district = fields.String(required=True)
    subject = fields.String(required=True)
    description = fields.String(required=True)
    address = fields.String(load_default=None, allow_none=True)
    location = fields.Dict(load_default=None, allow_none=True)
    citizen = fields.Dict(required=True)
    submitted_at = fields.AwareDateTime(required=True)
    ack_due = fields.AwareDateTime(required=True)
    answer_due = fields.AwareDateTime(required=True)
