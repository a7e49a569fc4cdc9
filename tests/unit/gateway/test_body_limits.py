"""The gateway app bounds each page's body before reading it, and refuses what is not UTF-8, never a 500.

nginx bounds the API's bodies (tests/unit/gateway/test_entry_point.py), and the services again.
"""

from __future__ import annotations

import pytest

from common import config
from gateway.app import create_app
from services.feedback.app import create_app as feedback_app
from services.tracking.app import create_app as tracking_app
from tests.support import free_port
from tests.unit.refusals import Unreadable, refused

HUGE = str(105 * 1024 * 1024)


@pytest.fixture
def gateway(monkeypatch):
    for service in ("intake", "tracking", "notification", "feedback"):
        monkeypatch.setenv(f"{service.upper()}_URL", f"http://127.0.0.1:{free_port()}")
    config.reload()
    return create_app().test_client()


def test_a_page_answers_a_body_too_large_with_its_error_page(gateway):
    answer = gateway.post(
        "/complaints/RC-2026-AAAAAAA/documents",
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"wsgi.input": Unreadable(), "CONTENT_LENGTH": HUGE},
    )
    assert answer.status_code == 413 and answer.content_type.startswith("text/html")
    assert "<h1>" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/api/v1/stats", feedback_app),
        ("/api/v1/staff/complaints", tracking_app),
        ("/open311/v2/requests.json", tracking_app),
    ],
)
def test_an_api_query_string_that_is_not_utf8_is_a_400(path, service):
    """nginx passes the query on as it came: the service refuses it."""
    answer = (
        service({"TESTING": True})
        .test_client()
        .get(path, environ_overrides={"QUERY_STRING": "q=\xed\xa0\x80&district=\xff"})
    )
    assert answer.status_code == 400
    if path.startswith("/open311/"):
        assert answer.json[0]["code"] == 400
    else:
        refused(answer, 400, "bad_request")


@pytest.mark.parametrize("path", ["/", "/track", "/figures", "/staff/login", "/complaints/RC-2026-AAAAAAA"])
def test_a_page_with_a_query_string_that_is_not_utf8_is_its_error_page(gateway, path):
    answer = gateway.get(path, environ_overrides={"QUERY_STRING": "lang=\xed\xa0\x80&number=\xff"})
    assert answer.status_code == 400 and answer.content_type.startswith("text/html")
