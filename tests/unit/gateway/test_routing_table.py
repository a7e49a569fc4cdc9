"""The gateway's routing table is the services' routes: the same paths, methods and owners."""

from __future__ import annotations

import pytest

from gateway.app import create_app as gateway_app
from gateway.routes import ROUTES
from services.feedback.app import create_app as feedback_app
from services.intake.app import create_app as intake_app
from services.notification.app import create_app as notification_app
from services.tracking.app import create_app as tracking_app

PUBLIC = ("/api/", "/open311/")
SERVICES = {
    "intake": intake_app,
    "tracking": tracking_app,
    "notification": notification_app,
    "feedback": feedback_app,
}


def served() -> set[tuple[str, str, str]]:
    """Return (path, method, service) for every public route a service serves."""
    found = set()
    for service, create_app in SERVICES.items():
        for rule in create_app().url_map.iter_rules():
            if rule.rule.startswith(PUBLIC):
                found |= {(rule.rule, method, service) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_the_gateway_routes_exactly_what_the_services_serve():
    routed = {(path, method, service) for path, methods, service in ROUTES for method in methods}
    assert routed - served() == set(), "routed to a service that does not serve it"
    assert served() - routed == set(), "served but not routed"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PATCH", "/api/v1/staff/answers", "GET, HEAD, OPTIONS, POST"),
        ("PATCH", "/api/v1/staff/open311-keys", "GET, HEAD, OPTIONS, POST"),
        ("POST", "/api/v1/staff/catalog", "GET, HEAD, OPTIONS"),
        ("POST", "/api/v1/staff/exports/stats.csv", "GET, HEAD, OPTIONS"),
        ("DELETE", "/api/v1/staff/complaints/RC-2026-AAAAAAA/notes", "OPTIONS, POST"),
    ],
)
def test_a_method_an_address_does_not_take_is_the_gateways_405_without_asking_the_service(
    method, path, allowed
):
    """Once 404s from the service: the catch-all routes sent every method under /api/v1/staff/ on."""
    answer = gateway_app().test_client().open(path, method=method)
    assert answer.status_code == 405 and answer.headers["Allow"] == allowed
    assert answer.json["error"]["code"] == "method_not_allowed"


def test_an_address_nobody_serves_is_the_gateways_404_in_the_contracts_shape():
    answer = gateway_app().test_client().get("/api/v1/staff/nothing-here")
    assert answer.status_code == 404 and answer.json["error"]["code"] == "not_found"
