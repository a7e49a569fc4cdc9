"""docs/openapi.yaml: a valid OpenAPI 3.1 document naming exactly the routes the platform serves."""

import re
import textwrap

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from marshmallow import ValidationError
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.contract import ROOT

DOCUMENT = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text())
METHODS = {"get", "post", "patch", "put", "delete"}
# Each service's own operator endpoints are reached directly, not through the gateway.
SERVICE_ONLY = {"/health/live", "/health/ready", "/metrics"}


def documented() -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in DOCUMENT["paths"].items()
        for method in item
        if method in METHODS
    }


def served() -> set[tuple[str, str]]:
    from gateway.app import create_app as gateway
    from services.feedback.app import create_app as feedback
    from services.intake.app import create_app as intake
    from services.tracking.app import create_app as tracking

    routes = set()
    for create in (intake, tracking, feedback):
        for rule in create({"TESTING": True}).url_map.iter_rules():
            if rule.rule in SERVICE_ONLY or rule.endpoint == "static":
                continue
            path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    for rule in gateway().url_map.iter_rules():
        # The web pages (`web.`) are pages, not the API.
        if rule.endpoint != "static" and not rule.endpoint.startswith("web."):
            routes |= {(method, rule.rule) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_the_document_is_valid_openapi_3_1():
    validate(DOCUMENT)
    assert DOCUMENT["openapi"] == "3.1.0"


def test_every_route_served_is_documented_and_nothing_else():
    assert served() == documented()


@pytest.mark.parametrize(("method", "path"), sorted(documented()))
def test_nginx_sends_each_documented_operation_to_its_owner(method, path):
    """The routing table, from which nginx is configured, holds every documented operation."""
    from gateway import routing

    example = re.sub(r"\{\w+\}", "x1", path.replace("{fmt}", "json"))
    owners = [r.owners.get(method) for r in routing.routes() if re.fullmatch(r.pattern, example)]
    if path.startswith(routing.PUBLIC_PREFIXES):
        assert owners and owners[0] in ("intake", "tracking", "feedback", routing.GATEWAY), (method, path)
    else:
        assert owners == [], "the pages and /health are the gateway app's, past every route"


@pytest.mark.parametrize(("method", "path"), sorted(documented()))
def test_every_operation_documents_its_answers(method, path):
    operation = DOCUMENT["paths"][path][method.lower()]
    assert operation["summary"] and operation["operationId"]
    successes = [code for code in operation["responses"] if code.startswith("2")]
    assert successes, f"{method} {path} documents no success"
    if "security" in operation and path.startswith("/api/"):
        assert "401" in operation["responses"]


def test_every_request_body_is_what_the_schemas_its_views_load_make_of_it():
    """The generated block of components/schemas is what `python -m docs.openapi` writes today."""
    from docs import openapi

    text = (ROOT / "docs" / "openapi.yaml").read_text()
    committed = yaml.safe_load(textwrap.dedent(openapi.generated_part(text)))
    generated = openapi.request_bodies()
    differing = sorted(
        name for name in committed.keys() | generated.keys() if committed.get(name) != generated.get(name)
    )
    assert not differing, f"the schemas and docs/openapi.yaml disagree on {differing}: python -m docs.openapi"
    written_twice = [
        name for name in generated if len(re.findall(rf"^    {re.escape(name)}:", text, re.M)) != 1
    ]
    assert not written_twice, f"also written by hand in components/schemas: {written_twice}"


def test_every_request_body_refers_to_the_schema_its_view_loads():
    from docs import openapi

    assert openapi.unreferenced(DOCUMENT) == []


# (component, body, whether the view takes it): the document and the code answer alike.
BODIES = [
    ("NewRemark", {"text": "é" * 2000}, True),
    ("NewRemark", {"text": "é" * 2001}, False),
    ("NewRemark", {"text": "A remark", "by": "staff"}, False),
    ("TrackingRequest", {"number": "RC-2026-7K3P9QX", "email": "ana@example.ma"}, True),
    ("TrackingRequest", {"number": "RC-2026-7K3P9QX", "email": "ana@" + "e" * 250 + ".ma"}, False),
    ("NewRating", {"satisfaction": 5, "outcome": "resolved", "comment": None}, True),
    ("NewRating", {"satisfaction": 6, "outcome": "resolved"}, False),
    ("NewRating", {"satisfaction": 4, "outcome": "maybe"}, False),
    ("Login", {"username": "", "password": "secret"}, False),
    ("NewMember", {"username": "ana.b", "password": "p" * 257, "role": "agent"}, False),
    ("NewDistrict", {"code": "anfa-2", "name": {"fr": "Anfa", "ar": "أنفا", "en": "Anfa"}}, True),
    (
        "NewDistrict",
        {"code": "anfa-2", "name": {"fr": "Anfa", "ar": "أنفا", "en": "Anfa"}, "active": True},
        False,
    ),
    ("NewCategory", {"code": "c", "name": {"fr": "x", "ar": "x", "en": "x"}, "department": "d"}, False),
]


@pytest.mark.parametrize(("component", "body", "taken"), BODIES)
def test_the_document_takes_a_body_when_its_view_does(component, body, taken):
    from docs import openapi

    resource = Resource.from_contents(DOCUMENT, default_specification=DRAFT202012)
    validator = Draft202012Validator(
        {"$ref": f"urn:openapi#/components/schemas/{component}"},
        registry=Registry().with_resource("urn:openapi", resource),
        format_checker=FormatChecker(),
    )
    try:
        openapi.schema_class(component)().load(body)
        loaded = True
    except ValidationError:
        loaded = False
    assert (loaded, validator.is_valid(body)) == (taken, taken)
