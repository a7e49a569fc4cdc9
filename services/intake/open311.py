"""Open311 GeoReport v2, intake's side: discovery, the services, their definitions, and submitting.

Service codes are the category codes; the district a request is for is the
attribute `district`, a single-value list of the catalogue's districts. The
attribute `publish` (`true` or `false`, off by default) carries the citizen's
consent to publish their description, address and point in Open311's answers.
Names are given in French unless `locale` asks for `ar` or `en`, the words from common.translations.
"""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, request
from marshmallow import ValidationError, fields, validate, validates_schema

from common import config, logs, mongo, ratelimit, translations
from common.errors import BadRequest, NotFound
from common.open311 import PREFIX, respond
from common.schemas import Email, StrictSchema, Text
from common.vocabulary import Kind, Language
from common.web import public_address
from services.intake import domain, keys, rules, store
from services.intake.schemas import PHONE

open311 = Blueprint("open311", __name__, url_prefix=PREFIX)
FORMAT = "<any(json,xml):fmt>"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-28T00:00:00Z"
# Open311's own words are in `services`; a kind's label and yes and no, which the pages show too, in `common`.
DOMAINS = ("services", "common")


def jurisdiction() -> str:
    """Return the city's jurisdiction id (a district code also names a jurisdiction)."""
    return config.settings().open311_jurisdiction


def _locale() -> Language:
    return rules.open311_locale((request.args.get("locale") or "").strip())


def _check_jurisdiction(districts: dict) -> None:
    given = (request.args.get("jurisdiction_id") or "").strip()
    if given and given != jurisdiction() and given not in districts:
        raise NotFound(f"Unknown jurisdiction_id {given!r}.")


def _catalogue() -> dict:
    current = store.active_catalog(mongo.database())
    _check_jurisdiction(current["districts"])
    return current


@open311.get(f"/discovery.{FORMAT}")
def discovery(fmt: str):
    """Where the API is, what it speaks, and who to contact."""
    settings, base = config.settings(), public_address()
    return respond(
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": settings.open311_contact or f"{base}/ — the city's complaints service",
            "key_service": f"{base}/ — API keys are issued by the city's administrators",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": f"{base}{PREFIX}",
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
    )


def service(code: str, category: dict, locale: str) -> dict:
    """Return a category as an Open311 service."""
    names = category["name"]
    return {
        "service_code": code,
        "service_name": names[locale],
        "description": " / ".join(names[lang] for lang in Language),
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join([code, *(names[lang] for lang in Language)]),
        "group": category["department"],
    }


@open311.get(f"/services.{FORMAT}")
def services(fmt: str):
    """The active categories, as services."""
    locale = _locale()
    current = _catalogue()
    return respond("services", [service(code, c, locale) for code, c in current["categories"].items()])


@open311.get(f"/services/<service_code>.{FORMAT}")
def service_definition(service_code: str, fmt: str):
    """A service's attributes: the district, the kind of request, and the consent to publish.

    The district is not required: a request without one is placed by its point, or by staff.
    """
    locale = _locale()
    current = _catalogue()
    if service_code not in current["categories"]:
        raise NotFound(f"No service has the code {service_code!r}.")
    words = translations.translations(locale, *DOMAINS).gettext
    districts = [{"key": key, "name": d["name"][locale]} for key, d in current["districts"].items()]
    kinds = [{"key": kind, "name": words(f"kind.{kind}")} for kind in Kind]
    return respond(
        "service_definition",
        {
            "service_code": service_code,
            "attributes": [
                {
                    "variable": True,
                    "code": "district",
                    "datatype": "singlevaluelist",
                    "required": False,
                    "datatype_description": None,
                    "order": 1,
                    "description": words("open311.district"),
                    "values": districts,
                },
                {
                    "variable": True,
                    "code": "kind",
                    "datatype": "singlevaluelist",
                    "required": False,
                    "datatype_description": None,
                    "order": 2,
                    "description": words("open311.kind"),
                    "values": kinds,
                },
                {
                    "variable": True,
                    "code": "publish",
                    "datatype": "singlevaluelist",
                    "required": False,
                    "datatype_description": None,
                    "order": 3,
                    "description": words("open311.publish"),
                    "values": [{"key": "false", "name": words("no")}, {"key": "true", "name": words("yes")}],
                },
            ],
        },
    )


# ---- submitting a service request ---------------------------------------------------------

ATTRIBUTE = re.compile(r"^attribute\[([a-z_]+)\](\[\])?$")


class ServiceRequestSchema(StrictSchema):
    """The parameters of POST requests, as form fields (strings), blank ones removed."""

    api_key = Text(metadata={"description": "Required: a key issued and not revoked (else 403)."})
    jurisdiction_id = Text(validate=validate.Length(max=64))
    service_code = Text(required=True, validate=validate.Length(min=1, max=64))
    lat = fields.Float(
        validate=validate.Range(-90, 90),
        metadata={"description": "With `long`. A location is required: `lat` and `long`, or an address."},
    )
    long = fields.Float(validate=validate.Range(-180, 180))
    address_string = Text(validate=validate.Length(max=500))
    address_id = Text(validate=validate.Length(max=100))
    email = Email()
    device_id = Text(validate=validate.Length(max=100))
    account_id = Text(validate=validate.Length(max=100))
    first_name = Text(validate=validate.Length(max=100))
    last_name = Text(validate=validate.Length(max=100))
    phone = Text(validate=PHONE)
    description = Text(validate=validate.Length(max=4000))
    media_url = fields.Url(schemes={"http", "https"}, validate=validate.Length(max=2000))
    locale = Text(
        validate=validate.Length(max=10),
        metadata={"description": "Its first two letters, fr, ar or en, are the notice's language (else fr)."},
    )

    @validates_schema
    def _located(self, data, **kwargs):
        if ("lat" in data) != ("long" in data):
            raise ValidationError("Give lat and long together.", "long" if "lat" in data else "lat")
        if not {"lat", "address_string", "address_id"} & set(data):
            raise ValidationError("Give a location: lat and long, address_string or address_id.", "lat")


_service_request_schema = ServiceRequestSchema()


def notice(locale: str, *, ack: int, answer: int, placed: bool) -> str:
    """Return a submitted request's notice: its deadlines, and that staff place it when it has no district."""
    words = translations.translations(locale, *DOMAINS).gettext
    said = words("open311.notice").format(ack=ack, answer=answer)
    return said if placed else f"{said} {words('open311.to_place')}"


def _form() -> tuple[dict, dict]:
    """Return the request's parameters and its attributes, blank values left out."""
    values, attributes = {}, {}
    for name, value in request.values.items(multi=False):
        value = value.strip()
        if not value:
            continue
        match = ATTRIBUTE.match(name)
        if match:
            attributes[match.group(1)] = value
        else:
            values[name] = value
    unknown = sorted(set(attributes) - set(rules.OPEN311_ATTRIBUTES))
    if unknown:
        raise BadRequest(f"Unknown attribute {unknown[0]!r}: this service has district, kind and publish.")
    return _service_request_schema.load(values), attributes


def _district(db_districts: dict, form: dict, attributes: dict) -> str | None:
    """Return the district of a request: named, placed by its point, or None for staff to place."""
    named = set()
    jurisdiction_id = form.get("jurisdiction_id")
    if jurisdiction_id and jurisdiction_id != jurisdiction():
        if jurisdiction_id not in db_districts:
            raise NotFound(f"Unknown jurisdiction_id {jurisdiction_id!r}.")
        named.add(jurisdiction_id)
    if "district" in attributes:
        if attributes["district"] not in db_districts:
            raise BadRequest(f"attribute[district]: unknown district {attributes['district']!r}.")
        named.add(attributes["district"])
    if len(named) > 1:
        raise BadRequest("jurisdiction_id and attribute[district] name different districts.")
    if named:
        return named.pop()
    if "lat" in form:
        return domain.locate(db_districts, {"lat": form["lat"], "lon": form["long"]})
    return None


@open311.post(f"/requests.{FORMAT}")
def post_request(fmt: str):
    """Submit a service request as a complaint; answer its number, a token and what comes next."""
    db = mongo.database()
    key = keys.check(db, (request.values.get("api_key") or "").strip())
    limit = ratelimit.open311_submissions()
    ratelimit.check(db, limit, key["id"])
    form, attributes = _form()
    current = store.active_catalog(db)
    category = current["categories"].get(form["service_code"])
    if category is None:
        raise BadRequest(f"service_code {form['service_code']!r} is not a service of this city.")
    kind = rules.open311_kind(attributes)
    if kind is None:
        raise BadRequest(f"attribute[kind] must be one of {', '.join(Kind)}.")
    publish = rules.open311_publish(attributes)
    if publish is None:
        raise BadRequest("attribute[publish] must be true or false.")
    locale = rules.open311_locale(form.get("locale"))
    district = _district(current["districts"], form, attributes)
    service_name = category["name"][locale]
    data = rules.open311_complaint(
        form, kind=kind, district=district, service_name=service_name, locale=locale, publish=publish
    )
    token = secrets.token_urlsafe(16)
    channel = rules.open311_channel(form, key_id=key["id"], token=token)
    with ratelimit.taken(db, limit, key["id"]):
        receipt = domain.submit(db, data, channel=channel, token=token, request_id=logs.current_request_id())
    said = notice(
        locale, ack=category["ack_days"], answer=category["answer_days"], placed=district is not None
    )
    answer = {"service_request_id": receipt["number"], "token": token, "service_notice": said}
    if form.get("account_id"):
        answer["account_id"] = form["account_id"]
    return respond("service_requests", [answer])


@open311.get(f"/tokens/<token>.{FORMAT}")
def get_token(token: str, fmt: str):
    """The service request a token stands for."""
    number = store.number_of_token(mongo.database(), token)
    if number is None:
        raise NotFound("No service request has this token.")
    return respond("service_requests", [{"service_request_id": number, "token": token}])
