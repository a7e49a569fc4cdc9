"""Every 405 names the methods the address takes in `Allow`: at a service, and on a page.

The services' routing knows them (werkzeug's MethodNotAllowed). nginx answers those of the routing
table itself, with the same `Allow` (tests/unit/gateway/test_entry_point.py).
"""

from __future__ import annotations

import pytest

from gateway.app import create_app as gateway_app
from services.intake.app import create_app as intake_app
from services.tracking.app import create_app as tracking_app

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
def gateway():
    return gateway_app().test_client()


def test_a_pages_405_is_a_page_naming_the_allowed_methods(gateway):
    answer = gateway.put("/")
    assert allowed(answer) == ["GET", "HEAD", "OPTIONS", "POST"]
    assert answer.mimetype == "text/html"
    follow = gateway.delete(f"/complaints/{NUMBER}/follow")
    assert allowed(follow) == ["GET", "HEAD", "OPTIONS", "POST"]
