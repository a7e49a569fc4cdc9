"""What tracking reads: the tracking request and the events it records."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from common.schemas import Email, Flag, Number, StrictSchema, Text, Whole
from common.vocabulary import DEFAULT_LANGUAGE, Channel, Frequency, Language, Outcome, Role, Status
from services.tracking import grid
from services.tracking.rules import ALERT_RADIUS_M, STATUS_GROUPS


class TrackingRequestSchema(StrictSchema):
    number = Text(required=True, validate=validate.Length(min=1, max=40))
    email = Email(required=True)


class LinkRequestSchema(StrictSchema):
    number = Text(required=True, validate=validate.Length(min=1, max=40))
    token = Text(required=True, validate=validate.Length(min=1, max=1000))


class SubmittedSchema(Schema):
    """The fields of complaint.submitted that tracking uses (a tolerant reader)."""

    class Meta:
        unknown = EXCLUDE

    number = fields.String(required=True)
    kind = fields.String(required=True)
    category = fields.String(required=True)
    category_name = fields.Dict(load_default=None, allow_none=True)
    department = fields.String(load_default=None)
    district = fields.String(required=True, allow_none=True)  # None: an Open311 request to place
    district_name = fields.Dict(load_default=None, allow_none=True)  # what alerts call it
    subject = fields.String(required=True)
    description = fields.String(required=True)
    address = fields.String(load_default=None, allow_none=True)
    location = fields.Dict(load_default=None, allow_none=True)
    nearest_district = fields.String(load_default=None, allow_none=True)  # the point's, within the limit
    citizen = fields.Dict(required=True)
    publish = fields.Boolean(load_default=False, allow_none=True)  # absent from older events: not published
    submitted_at = fields.AwareDateTime(required=True)
    ack_due = fields.AwareDateTime(required=True)
    answer_due = fields.AwareDateTime(required=True)
    answer_days = fields.Integer(load_default=60)
    documents = fields.List(fields.Dict(), load_default=list)
    channel = fields.String(load_default=Channel.WEB)
    media_url = fields.String(load_default=None, allow_none=True)


class RemarkSchema(StrictSchema):
    text = Text(required=True, validate=validate.Length(min=1, max=2000))


class ReopenSchema(StrictSchema):
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))


class FeedbackSchema(StrictSchema):
    satisfaction = Whole(required=True, validate=validate.Range(min=1, max=5))
    outcome = Text(required=True, validate=validate.OneOf(tuple(Outcome)))
    comment = Text(validate=validate.Length(max=2000), load_default=None, allow_none=True)


class LoginSchema(StrictSchema):
    username = Text(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class TransitionSchema(StrictSchema):
    to = Text(required=True, validate=validate.Length(min=1, max=32))
    public_note = Text(validate=validate.Length(max=4000), load_default=None, allow_none=True)
    internal_note = Text(validate=validate.Length(max=4000), load_default=None, allow_none=True)
    reason = Text(
        validate=validate.Length(max=2000),
        load_default=None,
        allow_none=True,
        metadata={"description": "Required to reject."},
    )


class AssignmentSchema(StrictSchema):
    department = Text(validate=validate.Length(min=1, max=64), load_default=None, allow_none=True)
    agent = Text(
        validate=validate.Length(min=1, max=64),
        load_default=None,
        allow_none=True,
        metadata={
            "description": "A username, of an active member who works for the complaint's district"
            " (else 400 with `fields.agent`); an agent assigns only to themselves (else 403)."
        },
    )


class PlacementSchema(StrictSchema):
    district = Text(required=True, validate=validate.Length(min=1, max=64))


class CitizenRequestSchema(StrictSchema):
    email = Email(required=True)


NUMBER = validate.Length(min=1, max=40)


class FollowSchema(StrictSchema):
    email = Email(required=True)
    language = Text(validate=validate.OneOf(tuple(Language)), load_default=DEFAULT_LANGUAGE)


class FollowerTokenSchema(StrictSchema):
    """The token of a follower's emailed link: to confirm following, or to stop."""

    token = Text(required=True, validate=validate.Length(min=1, max=500))


class AlertRequestSchema(StrictSchema):
    """A request for the alerts of a place: a district, or a point and a radius."""

    email = Email(required=True)
    language = Text(validate=validate.OneOf(tuple(Language)), load_default=DEFAULT_LANGUAGE)
    frequency = Text(
        required=True,
        validate=validate.OneOf(tuple(Frequency)),
        metadata={"description": "`each`: an email per new report; `weekly`: one digest a week."},
    )
    district = Text(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "A catalogue district (else 400); or give lat, lon and radius_m."},
    )
    lat = Number(validate=validate.Range(-90, 90), allow_nan=False)
    lon = Number(validate=validate.Range(-180, 180), allow_nan=False)
    radius_m = Whole(
        validate=validate.Range(*ALERT_RADIUS_M), metadata={"description": "Metres around the point."}
    )

    @validates_schema
    def _one_place(self, data, **kwargs):
        point = [name for name in ("lat", "lon", "radius_m") if name in data]
        if "district" in data and point:
            raise ValidationError("Give a district, or a point and its radius, not both.", "district")
        if "district" not in data:
            for name in ("lat", "lon", "radius_m"):
                if name not in point:
                    raise ValidationError("Give a district, or lat, lon and radius_m.", name)


class AlertTokenSchema(StrictSchema):
    """The token of an alert's emailed link: to confirm it, or to stop it."""

    token = Text(required=True, validate=validate.Length(min=1, max=500))


class MergeSchema(StrictSchema):
    into = Text(required=True, validate=NUMBER, metadata={"description": "The number of the complaint kept."})
    public_note = Text(validate=validate.Length(max=4000), load_default=None, allow_none=True)
    internal_note = Text(validate=validate.Length(max=4000), load_default=None, allow_none=True)


class NearbyQuerySchema(StrictSchema):
    """Where a citizen is about to file: a category and a point, or an address in a district."""

    category = Text(required=True, validate=validate.Length(min=1, max=64))
    lat = fields.Float(validate=validate.Range(-90, 90), allow_nan=False)
    lon = fields.Float(validate=validate.Range(-180, 180), allow_nan=False)
    address = Text(validate=validate.Length(max=500))
    district = Text(validate=validate.Length(max=64))

    @validates_schema
    def _somewhere(self, data, **kwargs):
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("Give lat and lon together.", "lon" if "lat" in data else "lat")
        if "lat" not in data and not (data.get("address") and data.get("district")):
            raise ValidationError("Give a point (lat, lon), or an address and its district.", "lat")


class NoteSchema(StrictSchema):
    text = Text(required=True, validate=validate.Length(min=1, max=4000))


class QueueQuerySchema(StrictSchema):
    status = Text(
        validate=validate.OneOf(tuple(Status)),
        load_default=None,
    )
    district = Text(validate=validate.Length(max=64), load_default=None)
    unplaced = fields.Boolean(load_default=None)
    category = Text(validate=validate.Length(max=64), load_default=None)
    overdue = fields.Boolean(load_default=None)
    assigned = Text(validate=validate.OneOf(("me",)), load_default=None)  # the member's own complaints
    q = Text(validate=validate.Length(max=200), load_default=None)
    page = fields.Integer(validate=validate.Range(min=1, max=100000), load_default=1)
    page_size = fields.Integer(validate=validate.Range(min=1, max=100), load_default=20)


class Bbox(Text):
    """A map's box, `west,south,east,north` in degrees, as a grid.Box."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return grid.parse_box(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as wrong:
            raise ValidationError(str(wrong)) from None


BBOX = {"description": "west,south,east,north, in degrees (a map's bounds)."}


class MapQuerySchema(QueueQuerySchema):
    """The staff's map: the queue's filters (without its page), a box and a zoom."""

    bbox = Bbox(load_default=None, metadata=BBOX)
    zoom = fields.Integer(validate=validate.Range(*grid.ZOOMS), load_default=12)


# The public reports are paged through their first REPORTS_REACH: a deeper page is refused.
REPORTS_REACH = 1000


class ReportsQuerySchema(StrictSchema):
    """The public reports' filters and page."""

    district = Text(validate=validate.Length(max=64), load_default=None)
    category = Text(validate=validate.Length(max=64), load_default=None)
    status = Text(validate=validate.OneOf((*STATUS_GROUPS, *Status)), load_default=None)
    bbox = Bbox(load_default=None, metadata=BBOX)
    page = fields.Integer(validate=validate.Range(min=1, max=REPORTS_REACH), load_default=1)
    per_page = fields.Integer(validate=validate.Range(min=1, max=50), load_default=20)

    @validates_schema
    def _within_reach(self, data, **kwargs):
        if (data.get("page", 1) - 1) * data.get("per_page", 20) >= REPORTS_REACH:
            raise ValidationError(
                f"Only the newest {REPORTS_REACH} reports of a filter are listed: narrow it instead.", "page"
            )


PASSWORD = {
    "description": "Refused (400 with zxcvbn's advice under fields.password) when easy to guess: common,"
    " repetitive, or made of the username, name or email, the city's, country's, districts' or platform's"
    " words or the years around this one (zxcvbn score below 3; below 4 for an administrator)."
}
USERNAME = validate.Regexp(r"^[a-z0-9][a-z0-9._-]{2,63}$", error="3 to 64 lowercase letters, digits, . _ -")
ROLES = tuple(Role)


class StaffMemberSchema(StrictSchema):
    username = Text(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=validate.Length(min=10, max=256), metadata=PASSWORD)
    role = Text(required=True, validate=validate.OneOf(ROLES))
    districts = fields.List(Text(validate=validate.Length(min=1, max=64)), load_default=list)
    name = Text(validate=validate.Length(max=200), load_default=None, allow_none=True)
    email = Email(load_default=None, allow_none=True)
    department = Text(validate=validate.Length(max=64), load_default=None, allow_none=True)
    language = Text(validate=validate.OneOf(tuple(Language)), load_default=DEFAULT_LANGUAGE)


class StaffChangeSchema(StrictSchema):
    password = fields.String(validate=validate.Length(min=10, max=256), metadata=PASSWORD)
    role = Text(validate=validate.OneOf(ROLES))
    districts = fields.List(Text(validate=validate.Length(min=1, max=64)))
    name = Text(validate=validate.Length(max=200), allow_none=True)
    email = Email(allow_none=True)
    department = Text(validate=validate.Length(max=64), allow_none=True)
    active = Flag()
    language = Text(validate=validate.OneOf(tuple(Language)))
