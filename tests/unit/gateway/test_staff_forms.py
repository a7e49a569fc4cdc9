"""The staff's complaint page: each form's fields are its own, whatever another form fills."""

from __future__ import annotations

import re

import pytest

from gateway.web.upstream import Answer
from services.tracking import views
from tests.unit.gateway.test_photos import COMPLAINT, NUMBER, STAFF_CATALOG

CANNED = {
    "id": "a1",
    "title": "Rebouché",
    "category": "roads",
    "status": "resolved",
    "text": {"fr": "Le trou a été rebouché.", "ar": "تم إصلاح الحفرة.", "en": "The hole was filled."},
}


@pytest.fixture
def sent(monkeypatch):
    """The services as the supervisor's pages call them; return the bodies the pages sent."""
    from gateway.web import shared, staff

    bodies: list[tuple[str, dict]] = []

    def call(service, method, path, **kwargs):
        if method == "POST":
            bodies.append((path, kwargs.get("json")))
            return Answer(200, {"number": NUMBER})
        if path == f"/api/v1/staff/complaints/{NUMBER}":
            return Answer(200, views.staff_view(COMPLAINT, role="supervisor"))
        if path.startswith("/api/v1/staff/answers"):
            return Answer(200, {"items": [CANNED]})
        if path.endswith("/assignees"):
            return Answer(200, {"items": []})
        return Answer(200, STAFF_CATALOG)

    for module in (shared, staff):
        monkeypatch.setattr(module, "call", call)
    return bodies


@pytest.fixture
def pages(sent):
    from gateway.app import create_app

    client = create_app({"TESTING": True}).test_client()
    with client.session_transaction() as session:
        session["staff"] = {"token": "t", "role": "supervisor", "districts": ["anfa"], "username": "s"}
    return client


def textarea(html: str, name: str) -> str:
    return re.search(rf'<textarea[^>]* name="{name}"[^>]*>([^<]*)</textarea>', html)[1]


def test_a_canned_answer_fills_the_transitions_note_never_the_merges_message(pages, sent):
    html = pages.get(f"/staff/complaints/{NUMBER}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)[1]
    used = pages.post(f"/staff/complaints/{NUMBER}/answer", data={"csrf_token": token, "answer": "a1"})
    html = used.get_data(as_text=True)
    assert used.status_code == 200
    assert textarea(html, "public_note") == "Le trou a été rebouché."
    assert textarea(html, "merge_note") == ""  # merging from this page sends no canned answer
    # The merge form sends its own message as the duplicate's note, and only it
    pages.post(
        f"/staff/complaints/{NUMBER}/merge",
        data={"csrf_token": token, "into": "RC-2026-AAAAAAA", "merge_note": "Suivie sous l'autre numéro."},
    )
    assert sent[-1] == (
        f"/api/v1/staff/complaints/{NUMBER}/merge",
        {"into": "RC-2026-AAAAAAA", "public_note": "Suivie sous l'autre numéro."},
    )
