"""What a citizen may submit: marshmallow schemas with unknown fields refused."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from common.schemas import Email, Flag, Number, StrictSchema, Text
from common.vocabulary import DEFAULT_LANGUAGE, Kind, Language, Status
from services.intake import boundaries

PHONE = validate.Regexp(r"^\+?[0-9 ().-]{6,20}$", error="Not a valid phone number.")


class LocationSchema(StrictSchema):
    lat = Number(required=True, validate=validate.Range(-90, 90))
    lon = Number(required=True, validate=validate.Range(-180, 180))


class CitizenSchema(StrictSchema):
    name = Text(validate=validate.Length(max=200), load_default=None, allow_none=True)
    email = Email(required=True)
    phone = Text(validate=PHONE, load_default=None, allow_none=True)
    language = Text(validate=validate.OneOf(tuple(Language)), load_default=DEFAULT_LANGUAGE)


class ComplaintSchema(StrictSchema):
    kind = Text(required=True, validate=validate.OneOf(tuple(Kind)))
    category = Text(required=True, validate=validate.Length(min=1, max=64))
    # Optional when the complaint has a point (typed, or its photo's) that places it: see domain.submit.
    district = Text(
        validate=validate.Length(min=1, max=64),
        load_default=None,
        allow_none=True,
        metadata={
            "description": "Required unless the complaint's point (`location`, or its photo's GPS position)"
            " places it in the nearest district."
        },
    )
    subject = Text(required=True, validate=validate.Length(min=1, max=200))
    description = Text(required=True, validate=validate.Length(min=1, max=4000))
    address = Text(validate=validate.Length(max=500), load_default=None, allow_none=True)
    location = fields.Nested(LocationSchema, load_default=None, allow_none=True)
    citizen = fields.Nested(CitizenSchema, required=True)
    consent = Flag(required=True)
    # Law 09-08: publishing the citizen's words (Open311) is a choice of its own, off unless given.
    publish = Flag(
        load_default=False,
        metadata={
            "description": "The citizen's separate consent (law 09-08) to publish the complaint's subject,"
            " description, address, location and the display copies of its photos (without their"
            " metadata) in the public reports and the Open311 answers; never the name, email or phone."
            " Without it (the default), Open311 shows only the category, district, status and dates."
        },
    )

    @validates_schema(skip_on_field_errors=False)  # told with the other fields' errors, not after them
    def _consent_given(self, data, **kwargs):
        if data.get("consent") is not True:
            raise ValidationError("Consent to the processing of personal data is required.", "consent")


DISTRICT_REQUIRED = "Choose the district, or give the place: a point, or a photo that carries its position."
DISTRICT_FAR = "The point is outside the city's area: choose the district."
LOCATION_OUTSIDE = "The point is outside the city: check it (latitude first), or leave it out."


def check_catalogue(data: dict, districts: dict, categories: dict) -> None:
    """Refuse a district or category that is not an active catalogue entry (None: to be placed)."""
    errors = {}
    if data["district"] is not None and data["district"] not in districts:
        errors["district"] = ["Unknown district."]
    if data["category"] not in categories:
        errors["category"] = ["Unknown category."]
    if errors:
        raise ValidationError(errors)


CODE = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,63}$", error="2 to 64 lowercase letters, digits and dashes")


class NamesSchema(StrictSchema):
    fr = Text(required=True, validate=validate.Length(min=1, max=120))
    ar = Text(required=True, validate=validate.Length(min=1, max=120))
    en = Text(required=True, validate=validate.Length(min=1, max=120))


CENTER = {
    "description": "A district's approximate centre: an Open311 request with only a point goes to"
    " the nearest."
}


BOUNDARY = {
    "description": "The district's boundary, GeoJSON (RFC 7946, [longitude, latitude]): a point it holds"
    " is placed in this district; the centres place only the points of districts without one."
}


class Boundary(fields.Field):
    """A GeoJSON Polygon or MultiPolygon, refused with the reason when it is not a valid shape."""

    def _deserialize(self, value, attr, data, **kwargs):
        wrong = boundaries.problem(value)
        if wrong:
            raise ValidationError(wrong)
        return value


class DistrictSchema(StrictSchema):
    code = Text(required=True, validate=CODE)
    name = fields.Nested(NamesSchema, required=True)
    center = fields.Nested(LocationSchema, load_default=None, allow_none=True, metadata=CENTER)
    boundary = Boundary(load_default=None, allow_none=True, metadata=BOUNDARY)


class DistrictChangeSchema(StrictSchema):
    name = fields.Nested(NamesSchema)
    center = fields.Nested(LocationSchema, allow_none=True, metadata=CENTER)
    boundary = Boundary(allow_none=True, metadata=BOUNDARY)
    active = Flag()


class CategoryChangeSchema(StrictSchema):
    # Decree 2-17-265: at most 15 days to acknowledge and 60 to answer.
    name = fields.Nested(NamesSchema)
    department = Text(validate=validate.Length(min=1, max=64))
    ack_days = fields.Integer(
        strict=True, validate=validate.Range(1, 15), metadata={"description": "At most `answer_days`."}
    )
    answer_days = fields.Integer(strict=True, validate=validate.Range(1, 60))
    active = Flag()

    @validates_schema
    def _ack_before_answer(self, data, **kwargs):
        if "ack_days" in data and "answer_days" in data and data["ack_days"] > data["answer_days"]:
            raise ValidationError("Acknowledgement cannot be due after the answer.", "ack_days")


class CategorySchema(CategoryChangeSchema):
    code = Text(required=True, validate=CODE)
    name = fields.Nested(NamesSchema, required=True)
    department = Text(required=True, validate=validate.Length(min=1, max=64))
    ack_days = fields.Integer(
        strict=True,
        required=True,
        validate=validate.Range(1, 15),
        metadata={"description": "At most `answer_days`."},
    )
    answer_days = fields.Integer(strict=True, required=True, validate=validate.Range(1, 60))
    active = Flag(load_default=True)


class ApiKeySchema(StrictSchema):
    name = Text(
        required=True,
        validate=validate.Length(min=1, max=120),
        metadata={"description": "Who the key is for."},
    )


# The statuses staff move a complaint to (tracking's state table, services/tracking/rules.py),
# every one but those the citizen puts it in (filing, reopening): what a canned answer is written for.
ANSWER_STATUSES = tuple(status for status in Status if status not in (Status.RECEIVED, Status.REOPENED))


class AnswerTextsSchema(StrictSchema):
    # The public note's limit: a canned answer is a public note to be.
    fr = Text(required=True, validate=validate.Length(min=1, max=4000))
    ar = Text(required=True, validate=validate.Length(min=1, max=4000))
    en = Text(required=True, validate=validate.Length(min=1, max=4000))


ANSWER_CATEGORY = {"description": "A catalogue category code (else 400 with `fields.category`)."}
ANSWER_TITLE = {"description": "What staff see in the list of answers."}
ANSWER_TEXT = {
    "description": "The public note to be, in each language (the public note's 4,000 characters at most)."
}


class AnswerChangeSchema(StrictSchema):
    category = Text(validate=validate.Length(min=1, max=64), metadata=ANSWER_CATEGORY)
    status = Text(validate=validate.OneOf(ANSWER_STATUSES))
    title = Text(validate=validate.Length(min=1, max=120), metadata=ANSWER_TITLE)
    text = fields.Nested(AnswerTextsSchema, metadata=ANSWER_TEXT)


class AnswerSchema(AnswerChangeSchema):
    category = Text(required=True, validate=validate.Length(min=1, max=64), metadata=ANSWER_CATEGORY)
    status = Text(required=True, validate=validate.OneOf(ANSWER_STATUSES))
    title = Text(required=True, validate=validate.Length(min=1, max=120), metadata=ANSWER_TITLE)
    text = fields.Nested(AnswerTextsSchema, required=True, metadata=ANSWER_TEXT)


class AnswerQuerySchema(StrictSchema):
    category = Text(validate=validate.Length(max=64), load_default=None)
    status = Text(validate=validate.OneOf(ANSWER_STATUSES), load_default=None)
