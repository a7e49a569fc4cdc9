"""Every 405 names the methods the address takes in `Allow`: at a service, and through the gateway.

The services' routing knows them (werkzeug's MethodNotAllowed); the gateway forwards some methods
of an address to a service that may take fewer of them there: it answers those both take.
"""

from __future__ import annotations

import json
import threading

import pytest
from werkzeug.serving import make_server

from common import config, upstreams
from gateway.app import create_app as gateway_app
from services.intake.app import create_app as intake_app
from services.tracking.app import create_app as tracking_app
from tests.support import free_port

NUMBER = "RC-2026-AAAAAAA"


def allowed(answer) -> list[str]:
    assert answer.status_code == 405, answer.get_data(as_text=True)
    assert "Allow" in answer.headers, dict(answer.headers)
    return [method.strip() for method in answer.headers["Allow"].split(",")]


def test_a_services_405_names_the_allowed_methods_in_the_contracts_shape():
    intake = intake_app({"TESTING": True}).test_client()
    answer = intake.delete("/api/v1/catalog")
    assert allowed(answer) == ["GET", "HEAD", "OPTIONS"]
    assert answer.json["error"]["code"] == "method_not_allowed"
    tracking = tracking_app({"TESTING": True}).test_client()
    assert allowed(tracking.post(f"/api/v1/complaints/{NUMBER}")) == ["GET", "HEAD", "OPTIONS"]


def test_a_services_open311_405_names_them_in_open311s_shape():
    intake = intake_app({"TESTING": True}).test_client()
    answer = intake.put("/open311/v2/requests.json")
    assert allowed(answer) == ["OPTIONS", "POST"]
    assert answer.json == [{"code": 405, "description": answer.json[0]["description"]}]
    xml = intake.put("/open311/v2/requests.xml")
    assert allowed(xml) == ["OPTIONS", "POST"] and b"<errors><error><code>405</code>" in xml.data


@pytest.fixture
def tracking(monkeypatch):
    """The tracking service served on a port, the other services down."""
    server = make_server("127.0.0.1", 0, tracking_app({"TESTING": True}), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for service in ("intake", "notification", "feedback"):
        monkeypatch.setenv(f"{service.upper()}_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("TRACKING_URL", f"http://127.0.0.1:{server.server_port}")
    config.reload()
    upstreams._instances.clear()
    yield
    server.shutdown()
    upstreams._instances.clear()


@pytest.fixture
def gateway(tracking):
    return gateway_app().test_client()


def test_the_gateways_own_405_names_the_methods_it_forwards(gateway):
    answer = gateway.delete("/api/v1/catalog")
    assert allowed(answer) == ["GET", "HEAD", "OPTIONS"]
    assert answer.json["error"]["code"] == "method_not_allowed"
    open311 = gateway.put("/open311/v2/requests.json")
    assert allowed(open311) == ["GET", "HEAD", "OPTIONS", "POST"]
    assert [error["code"] for error in json.loads(open311.data)] == [405]


def test_the_gateway_names_only_the_methods_the_service_takes_at_the_address(gateway):
    # The gateway forwards GET and POST under /api/v1/complaints/; a complaint itself is only read.
    assert allowed(gateway.delete(f"/api/v1/complaints/{NUMBER}")) == ["GET", "HEAD", "OPTIONS"]
    assert allowed(gateway.patch(f"/api/v1/complaints/{NUMBER}/remarks")) == ["OPTIONS", "POST"]
    # The service's own 405, passed on.
    answer = gateway.post(f"/api/v1/complaints/{NUMBER}", json={})
    assert allowed(answer) == ["GET", "HEAD", "OPTIONS"]
    assert answer.json["error"]["code"] == "method_not_allowed"
    # Tracking takes PATCH on a member; the gateway forwards it, but not DELETE.
    assert allowed(gateway.delete("/api/v1/staff/members/agent")) == ["OPTIONS", "PATCH"]


def test_a_pages_405_is_a_page_naming_the_allowed_methods(gateway):
    answer = gateway.put("/")
    assert allowed(answer) == ["GET", "HEAD", "OPTIONS", "POST"]
    assert answer.mimetype == "text/html"
    follow = gateway.delete(f"/complaints/{NUMBER}/follow")
    assert allowed(follow) == ["GET", "HEAD", "OPTIONS", "POST"]
