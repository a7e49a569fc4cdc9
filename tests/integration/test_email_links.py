"""The link of a citizen's email against the real store: it opens its complaint only, for a while,
while the complaint still has the address it was sent to; failures count like wrong emails."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from common import config
from services.notification.links import complaint_link
from tests.integration.complaints import submission
from tests.support import wait_for


@pytest.fixture
def tracking(db, monkeypatch):
    from services.tracking import store
    from services.tracking.app import create_app

    monkeypatch.setenv("RATE_TRACKING_FAILURES", "4/600")
    config.reload()
    store.ensure_indexes(db)
    yield create_app({"TESTING": True}).test_client()
    monkeypatch.undo()
    config.reload()


def complaint(db, email: str) -> str:
    from services.tracking import handlers

    data = submission(citizen={"email": email, "language": "ar"})
    handlers.record_submitted(db, data)
    return data["number"]


def emailed_token(number: str, email: str) -> str:
    """Return the token of the link notification puts in this complaint's emails."""
    return parse_qs(urlsplit(complaint_link(number, email)).query)["t"][0]


def client() -> dict:
    return {"X-Forwarded-For": f"10.9.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"}


def test_the_emailed_link_opens_its_complaint_without_the_address(tracking, db):
    email = f"Nadia.{uuid.uuid4().hex[:6]}@Example.ma"
    number = complaint(db, email)
    opened = tracking.post(
        "/api/v1/tracking/link",
        json={"number": number, "token": emailed_token(number, email)},
        headers=client(),
    )
    assert opened.status_code == 200, opened.json
    assert opened.json["complaint"]["number"] == number and opened.json["expires_in"] == 3600
    view = tracking.get(
        f"/api/v1/complaints/{number}", headers={"Authorization": f"Bearer {opened.json['access_token']}"}
    )
    assert view.status_code == 200 and view.json["number"] == number
    lower = tracking.post(  # the number as a citizen might type it, spaced and in lower case
        "/api/v1/tracking/link",
        json={"number": f" {number.lower()} ", "token": emailed_token(number, email)},
        headers=client(),
    )
    assert lower.status_code == 200


def test_refused_links_answer_as_a_wrong_email_does(tracking, db):
    email = f"nadia.{uuid.uuid4().hex[:6]}@example.ma"
    mine, theirs = complaint(db, email), complaint(db, f"other.{uuid.uuid4().hex[:6]}@example.ma")
    token = emailed_token(mine, email)
    wrong_email = tracking.post(
        "/api/v1/tracking", json={"number": mine, "email": "x@example.ma"}, headers=client()
    )
    assert wrong_email.status_code == 404
    for number, sent in [
        (theirs, token),  # my link, another complaint
        (theirs, emailed_token(theirs, email)),  # a link for their complaint, but to my address
        (mine, token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")),  # tampered
        ("RC-2026-NOPE000", emailed_token("RC-2026-NOPE000", email)),  # no such complaint
    ]:
        refused = tracking.post(
            "/api/v1/tracking/link", json={"number": number, "token": sent}, headers=client()
        )
        assert refused.status_code == 404 and refused.json == wrong_email.json


@pytest.mark.parametrize(
    "body",
    [{"number": "RC-2026-7K3P9QX"}, {"token": "x"}, {"number": "RC-2026-7K3P9QX", "token": {"$ne": ""}}, []],
)
def test_a_malformed_request_is_a_400_in_the_contracts_shape(tracking, body):
    answer = tracking.post("/api/v1/tracking/link", json=body, headers=client())
    assert answer.status_code == 400 and answer.json["error"]["code"] == "validation_error"


def test_a_link_past_its_lifetime_no_longer_opens(tracking, db, monkeypatch):
    monkeypatch.setenv("EMAIL_LINK_TTL", "2")
    config.reload()
    email = f"nadia.{uuid.uuid4().hex[:6]}@example.ma"
    number = complaint(db, email)
    body = {"number": number, "token": emailed_token(number, email)}
    assert tracking.post("/api/v1/tracking/link", json=body, headers=client()).status_code == 200
    wait_for(
        lambda: tracking.post("/api/v1/tracking/link", json=body, headers=client()).status_code == 404,
        8,
        0.25,
        "the link to expire",
    )


def test_no_link_opens_a_complaint_once_its_citizen_is_anonymised(tracking, db):
    from services.tracking import privacy

    email = f"nadia.{uuid.uuid4().hex[:6]}@example.ma"
    number = complaint(db, email)
    body = {"number": number, "token": emailed_token(number, email)}
    assert tracking.post("/api/v1/tracking/link", json=body, headers=client()).status_code == 200
    assert privacy.anonymise(db, number, reason="retention")
    assert tracking.post("/api/v1/tracking/link", json=body, headers=client()).status_code == 404
    empty = {"number": number, "token": emailed_token(number, "")}  # nor one made for "no address"
    assert tracking.post("/api/v1/tracking/link", json=empty, headers=client()).status_code == 404


def test_failed_links_and_wrong_emails_share_one_limit(tracking, db):
    email = f"nadia.{uuid.uuid4().hex[:6]}@example.ma"
    number = complaint(db, email)
    me = client()
    bad = {"number": number, "token": "forged.token.value"}
    for _ in range(2):
        assert tracking.post("/api/v1/tracking/link", json=bad, headers=me).status_code == 404
        wrong = {"number": number, "email": "x@example.ma"}
        assert tracking.post("/api/v1/tracking", json=wrong, headers=me).status_code == 404
    good = {"number": number, "token": emailed_token(number, email)}
    refused = tracking.post("/api/v1/tracking/link", json=good, headers=me)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert tracking.post("/api/v1/tracking/link", json=good, headers=client()).status_code == 200
