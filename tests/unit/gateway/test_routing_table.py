"""The routing table is the services' routes: the same paths, methods, owners and body limits.

nginx's configuration is written from it (tests/unit/gateway/test_entry_point.py runs it): a path
the table lacks would be nginx's 404, a method it lacks nginx's 405, a limit it lacks a 413.
"""

from __future__ import annotations

from gateway import routing
from tests.unit.gateway.apps import APPS


def served() -> set[tuple[str, str, str]]:
    """Return (path, method, owner) for every public route a service or the gateway app serves."""
    found = set()
    for owner, create_app in APPS.items():
        for rule in create_app().url_map.iter_rules():
            if rule.rule.startswith(routing.PUBLIC_PREFIXES):
                found |= {(rule.rule, method, owner) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_the_table_routes_exactly_what_the_services_serve():
    routed = {(path, method, owner) for path, methods, owner in routing.ROUTES for method in methods}
    assert routed - served() == set(), "routed to a service that does not serve it"
    assert served() - routed == set(), "served but not routed"


def upload_limits(create_app) -> dict[str, object]:
    """Return the path and limit of every view of an app that takes documents (common/bodies.py)."""
    app = create_app()
    limits = {
        rule.rule: getattr(app.view_functions[rule.endpoint], "upload_limit", None)
        for rule in app.url_map.iter_rules()
    }
    return {path: limit for path, limit in limits.items() if limit}


def test_the_tables_upload_limits_are_the_views_own():
    assert upload_limits(APPS["intake"]) | upload_limits(APPS["tracking"]) == routing.UPLOADS
    assert upload_limits(APPS["gateway"]) == routing.PAGE_UPLOADS
