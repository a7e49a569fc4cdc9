"""docs/openapi.yaml: a valid OpenAPI 3.1 document naming exactly the routes the platform serves."""

import re

import pytest
import yaml
from openapi_spec_validator import validate

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
