"""The gateway bounds each route's body before reading it, and refuses what is not UTF-8, never a 500.

The services are down here: a 503 shows that a request got past the gateway's own checks.
"""

from __future__ import annotations

import io

import pytest

from common import bodies, config, uploads
from gateway.app import create_app
from tests.support import free_port
from tests.unit.common.test_hostile_bodies import Endless, Unreadable, chunked, refused

HUGE = str(105 * 1024 * 1024)


@pytest.fixture
def gateway(monkeypatch):
    for service in ("intake", "tracking", "notification", "feedback"):
        monkeypatch.setenv(f"{service.upper()}_URL", f"http://127.0.0.1:{free_port()}")
    config.reload()
    return create_app().test_client()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/tracking", "application/json"),
        ("/api/v1/complaints", "application/json"),
        ("/api/v1/complaints", "multipart/form-data; boundary=x"),
        ("/api/v1/complaints/RC-2026-AAAAAAA/remarks", "application/json"),
        ("/api/v1/complaints/RC-2026-AAAAAAA/documents", "multipart/form-data; boundary=x"),
        ("/api/v1/staff/login", "application/json"),
    ],
)
def test_a_body_over_the_routes_limit_is_a_413_and_never_read(gateway, path, content_type):
    unread = Unreadable()
    answer = gateway.post(
        path, content_type=content_type, environ_overrides={"wsgi.input": unread, "CONTENT_LENGTH": HUGE}
    )
    assert "at most" in refused(answer, 413, "payload_too_large")["message"]
    assert unread.read_bytes == 0


def test_open311_gets_its_413_in_its_own_shape(gateway):
    answer = gateway.post(
        "/open311/v2/requests.json",
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"wsgi.input": Unreadable(), "CONTENT_LENGTH": HUGE},
    )
    assert answer.status_code == 413 and answer.json[0]["code"] == 413


@pytest.mark.parametrize(
    ("path", "content_type", "limit"),
    [
        ("/api/v1/tracking", "application/json", bodies.json_bytes()),
        ("/api/v1/complaints/RC-2026-AAAAAAA/documents", "multipart/form-data; boundary=x", None),
    ],
)
def test_a_chunked_body_is_cut_off_with_a_413_once_past_the_limit(gateway, path, content_type, limit):
    endless = Endless()
    answer = gateway.post(path, content_type=content_type, environ_overrides=chunked(endless))
    refused(answer, 413, "payload_too_large")
    limit = limit or uploads.document_bytes()
    assert endless.sent <= limit + 64 * 1024  # read with a cap, never to the end


def test_a_json_body_within_the_limit_goes_on_to_the_service(gateway):
    answer = gateway.post("/api/v1/tracking", data=b" " * 200_000 + b"{}", content_type="application/json")
    refused(answer, 503, "service_unavailable")


def test_the_upload_routes_take_documents_larger_than_a_json_body(gateway):
    document = {"file": (io.BytesIO(b"%PDF-" + b"x" * 3_000_000), "a.pdf")}
    answer = gateway.post("/api/v1/complaints/RC-2026-AAAAAAA/documents", data=document)
    refused(answer, 503, "service_unavailable")
    staff = {"file": (io.BytesIO(b"%PDF-" + b"x" * 3_000_000), "a.pdf")}
    refused(
        gateway.post("/api/v1/staff/complaints/RC-2026-AAAAAAA/documents", data=staff),
        503,
        "service_unavailable",
    )
    remark = gateway.post(
        "/api/v1/complaints/RC-2026-AAAAAAA/remarks", data={"file": (io.BytesIO(b"x" * 300_000), "a")}
    )
    refused(remark, 413, "payload_too_large")


def test_a_page_answers_a_body_too_large_with_its_error_page(gateway):
    answer = gateway.post(
        "/complaints/RC-2026-AAAAAAA/documents",
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"wsgi.input": Unreadable(), "CONTENT_LENGTH": HUGE},
    )
    assert answer.status_code == 413 and answer.content_type.startswith("text/html")
    assert "<h1>" in answer.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/v1/stats", "/api/v1/staff/complaints", "/open311/v2/requests.json"])
def test_an_api_query_string_that_is_not_utf8_is_a_400(gateway, path):
    answer = gateway.get(path, environ_overrides={"QUERY_STRING": "q=\xed\xa0\x80&district=\xff"})
    assert answer.status_code == 400
    if path.startswith("/open311/"):
        assert answer.json[0]["code"] == 400
    else:
        refused(answer, 400, "bad_request")


@pytest.mark.parametrize("path", ["/", "/track", "/figures", "/staff/login", "/complaints/RC-2026-AAAAAAA"])
def test_a_page_with_a_query_string_that_is_not_utf8_is_its_error_page(gateway, path):
    answer = gateway.get(path, environ_overrides={"QUERY_STRING": "lang=\xed\xa0\x80&number=\xff"})
    assert answer.status_code == 400 and answer.content_type.startswith("text/html")


def test_an_encoded_question_mark_or_hash_in_a_path_stays_in_the_path(gateway, monkeypatch):
    from gateway import routes

    sent = []

    class Pool:
        def urlopen(self, method, url, **kwargs):
            sent.append(url)
            raise routes.urllib3.exceptions.NewConnectionError(None, "down")

    monkeypatch.setattr(routes.clients, "pool", lambda base: Pool())
    gateway.get("/api/v1/complaints/RC%3Fx=1%23y%00/documents/%ED%A0%80?lang=fr")
    assert sent and sent[0].endswith(
        "/api/v1/complaints/RC%3Fx=1%23y%00/documents/%EF%BF%BD%EF%BF%BD%EF%BF%BD?lang=fr"
    )
