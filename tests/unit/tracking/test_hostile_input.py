"""Tracking's own routes refuse hostile bodies before they reach the store: 400 or 413, never a 500.

Every request here is refused before the handler would read or write the store (there is none).
"""

from __future__ import annotations

import io

import pytest

from common import tokens, uploads
from services.tracking import domain
from services.tracking.app import create_app
from tests.unit.refusals import refused

NUMBER = "RC-2026-AAAAAAA"


@pytest.fixture
def tracking():
    return create_app({"TESTING": True}).test_client()


@pytest.fixture
def citizen() -> dict:
    return {"Authorization": f"Bearer {tokens.issue(domain.TOKEN_PURPOSE, {'number': NUMBER})}"}


@pytest.mark.parametrize(
    "body",
    [
        b'{"username": "admin", "password": "secret\\ud800"}',
        b'{"username": "\\udfff", "password": "secret"}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_staff_login_refuses_lone_surrogates_and_deep_json(tracking, body):
    refused(tracking.post("/api/v1/staff/login", data=body, content_type="application/json"))


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/remarks", b'{"text": "Toujours rien \\ud800"}', "text"),
        ("/reopen", b'{"reason": "\\udc00"}', "reason"),
        ("/feedback", b'{"satisfaction": 2, "outcome": "not_resolved", "comment": "\\ud800"}', "comment"),
    ],
)
def test_a_citizens_lone_surrogate_is_a_400_naming_the_field(tracking, citizen, path, body, field):
    answer = tracking.post(
        f"/api/v1/complaints/{NUMBER}{path}", data=body, content_type="application/json", headers=citizen
    )
    assert field in refused(answer)["fields"]


def test_a_remark_larger_than_a_json_body_is_a_413(tracking, citizen):
    body = b'{"text": "' + b"x" * 300_000 + b'"}'
    answer = tracking.post(
        f"/api/v1/complaints/{NUMBER}/remarks", data=body, content_type="application/json", headers=citizen
    )
    refused(answer, 413, "payload_too_large")


def test_the_documents_route_has_the_documents_limit(tracking):
    path = f"/api/v1/complaints/{NUMBER}/documents"
    fits = {"file": (io.BytesIO(b"x" * 2_000_000), "a.pdf")}
    assert tracking.post(path, data=fits).status_code == 401  # past the size check, then no token
    over = {"file": (io.BytesIO(b"x" * (uploads.document_bytes() + 1)), "a.pdf")}
    refused(tracking.post(path, data=over), 413, "payload_too_large")
    staff = {"file": (io.BytesIO(b"x" * 2_000_000), "a.pdf")}
    assert tracking.post(f"/api/v1/staff/complaints/{NUMBER}/documents", data=staff).status_code == 401
