"""API.md's rate limits against the real store, shared by every process: 429 with Retry-After."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from common import ratelimit
from tests.integration.complaints import submission


@pytest.fixture
def tracking(db, monkeypatch):
    from services.tracking import domain, store
    from services.tracking.app import create_app

    monkeypatch.setenv("RATE_TRACKING_FAILURES", "3/600")
    monkeypatch.setenv("RATE_LOGIN_FAILURES", "2/900")
    store.ensure_indexes(db)
    data = submission(citizen={"email": "nadia@example.ma", "language": "fr"})
    domain.record_submitted(db, data)
    return create_app({"TESTING": True}).test_client(), data["number"]


def client(address: str) -> dict:
    # As the gateway forwards it: what the client claimed, then the address it came from.
    return {"X-Forwarded-For": f"6.6.6.6, {address}"}


def test_failed_tracking_attempts_are_limited_per_client_address(tracking):
    app, number = tracking
    me, other = f"10.1.{uuid.uuid4().int % 250}.1", f"10.2.{uuid.uuid4().int % 250}.2"
    for _ in range(3):
        answer = app.post(
            "/api/v1/tracking", json={"number": number, "email": "x@example.ma"}, headers=client(me)
        )
        assert answer.status_code == 404
    refused = app.post(
        "/api/v1/tracking", json={"number": number, "email": "nadia@example.ma"}, headers=client(me)
    )
    assert refused.status_code == 429 and refused.json["error"]["code"] == "too_many_requests"
    assert 1 <= int(refused.headers["Retry-After"]) <= 600
    good = app.post(
        "/api/v1/tracking", json={"number": number, "email": "nadia@example.ma"}, headers=client(other)
    )
    assert good.status_code == 200  # another client is not affected, whatever it claims in the header
    for _ in range(5):  # successes do not count
        assert (
            app.post(
                "/api/v1/tracking",
                json={"number": number, "email": "nadia@example.ma"},
                headers=client(other),
            ).status_code
            == 200
        )


def test_failed_logins_are_limited_per_account(tracking, db):
    from services.tracking import accounts, store

    app, _number = tracking
    username = f"karim{uuid.uuid4().hex[:6]}"
    account = accounts._account(
        username=username, password="le-bon-mot-de-passe", role="agent", districts=["anfa"], created_by="test"
    )
    store.create_staff(db, account, [])
    for address in ("10.9.0.1", "10.9.0.2"):  # from anywhere: the account is what is protected
        answer = app.post(
            "/api/v1/staff/login", json={"username": username, "password": "wrong"}, headers=client(address)
        )
        assert answer.status_code == 401
    refused = app.post(
        "/api/v1/staff/login",
        json={"username": username.upper(), "password": "le-bon-mot-de-passe"},
        headers=client("10.9.0.3"),
    )
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    other = f"other{uuid.uuid4().hex[:6]}"
    assert app.post("/api/v1/staff/login", json={"username": other, "password": "x"}).status_code == 401


def test_submissions_are_limited_per_client_and_refused_ones_change_nothing(db, monkeypatch):
    from services.intake import store
    from services.intake.app import create_app

    monkeypatch.setenv("RATE_SUBMISSIONS", "2/3600")
    store.ensure_indexes(db)
    app = create_app({"TESTING": True}).test_client()
    body = {
        "kind": "complaint",
        "category": "roads",
        "district": "anfa",
        "subject": "Trou",
        "description": "Un trou",
        "citizen": {"email": "a@example.ma"},
        "consent": True,
    }
    me = f"10.3.{uuid.uuid4().int % 250}.3"
    assert (
        app.post("/api/v1/complaints", json={**body, "kind": "wrong"}, headers=client(me)).status_code == 400
    )
    for _ in range(2):
        assert app.post("/api/v1/complaints", json=body, headers=client(me)).status_code == 201
    before = db[store.COMPLAINTS].count_documents({})
    refused = app.post("/api/v1/complaints", json=body, headers=client(me))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert db[store.COMPLAINTS].count_documents({}) == before
    assert app.post("/api/v1/complaints", json=body, headers=client("10.4.0.4")).status_code == 201


def test_counters_keep_no_address_and_ended_windows_are_swept(db, monkeypatch):
    limit = ratelimit.Limit("probe", 5, 1)
    ratelimit.record(db, limit, "192.0.2.77")
    stored = list(db[ratelimit.COLLECTION].find({"_id": {"$regex": "^probe"}}))
    assert stored and "192.0.2.77" not in str(stored)
    time.sleep(1.1)
    assert ratelimit.sweep(db) >= 1
    assert list(db[ratelimit.COLLECTION].find({"_id": {"$regex": "^probe"}})) == []


def test_a_block_reached_in_another_process_is_known_here_within_seconds(db, monkeypatch):
    limit = ratelimit.Limit("spread", 2, 600)
    key = f"10.5.{uuid.uuid4().int % 250}.5"
    ratelimit.check(db, limit, key)  # this process has read the blocked windows just now
    # Another process records the failures that reach the limit: its counter and its block.
    window, ends = ratelimit._window(limit, key, time.time())
    db[ratelimit.COLLECTION].insert_one({"_id": window, "n": 2})
    db[ratelimit.BLOCKED].insert_one({"_id": window, "ends": datetime.fromtimestamp(ends, UTC)})
    time.sleep(ratelimit.BLOCKED_REFRESH_SECONDS)
    with pytest.raises(ratelimit.TooManyRequests):
        ratelimit.check(db, limit, key)


def test_concurrent_first_counts_of_one_key_all_count(db):
    # The first events of a key race to create its counter: FerretDB answers the losers with a
    # duplicate key error, which must not reach the client as a 500.
    limit = ratelimit.Limit("race", 1000, 600)
    key = f"10.6.{uuid.uuid4().int % 250}.6"
    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(lambda _i: ratelimit.record(db, limit, key), range(16)))
    assert max(counts) <= 16 and len(counts) == 16
