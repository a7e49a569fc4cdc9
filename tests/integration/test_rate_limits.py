"""API.md's rate limits against the real store, shared by every process: 429 with Retry-After."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from common import config, ratelimit
from tests.integration.complaints import submission
from tests.support import complaint_body, wait_for


@pytest.fixture
def tracking(db, monkeypatch):
    from services.tracking import handlers, store
    from services.tracking.app import create_app

    monkeypatch.setenv("RATE_TRACKING_FAILURES", "3/600")
    monkeypatch.setenv("RATE_LOGIN_FAILURES", "2/900")
    config.reload()
    store.ensure_indexes(db)
    data = submission(citizen={"email": "nadia@example.ma", "language": "fr"})
    handlers.record_submitted(db, data)
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


def login(app, username: str, password: str, address: str) -> int:
    answer = app.post(
        "/api/v1/staff/login", json={"username": username, "password": password}, headers=client(address)
    )
    return answer.status_code


def member(db, password: str = "le-bon-mot-de-passe") -> str:
    from services.tracking import accounts, staff_store

    username = f"karim{uuid.uuid4().hex[:6]}"
    account = accounts._account(
        username=username, password=password, role="agent", districts=["anfa"], created_by="test"
    )
    staff_store.create_staff(db, account, [])
    return username


def test_failed_logins_are_limited_per_account_and_client_and_lock_no_one_else_out(tracking, db):
    app, _number = tracking
    username = member(db)
    attacker, owner = f"10.9.{uuid.uuid4().int % 250}.1", f"10.9.{uuid.uuid4().int % 250}.2"
    assert [login(app, username, "wrong", attacker) for _ in range(2)] == [401, 401]
    assert login(app, username.upper(), "le-bon-mot-de-passe", attacker) == 429  # even the right one
    refused = app.post(
        "/api/v1/staff/login", json={"username": username, "password": "wrong"}, headers=client(attacker)
    )
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 900
    # The account's owner, elsewhere, still signs in: failing on purpose locks no one out.
    assert login(app, username, "le-bon-mot-de-passe", owner) == 200


def test_failed_logins_across_accounts_are_limited_per_client(tracking, db, monkeypatch):
    monkeypatch.setenv("RATE_LOGIN_CLIENT_FAILURES", "3/900")
    config.reload()
    app, _number = tracking
    sprayer, other = f"10.8.{uuid.uuid4().int % 250}.1", f"10.8.{uuid.uuid4().int % 250}.2"
    victims = [member(db) for _ in range(4)]
    assert [login(app, name, "Casablanca2026", sprayer) for name in victims[:3]] == [401, 401, 401]
    assert login(app, victims[3], "Casablanca2026", sprayer) == 429
    assert login(app, victims[3], "le-bon-mot-de-passe", sprayer) == 429
    assert login(app, victims[3], "le-bon-mot-de-passe", other) == 200


def test_submissions_are_limited_per_client_and_refused_ones_change_nothing(db, monkeypatch):
    from services.intake import store
    from services.intake.app import create_app

    monkeypatch.setenv("RATE_SUBMISSIONS", "2/3600")
    config.reload()
    store.ensure_indexes(db)
    app = create_app({"TESTING": True}).test_client()
    body = complaint_body()
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
    ratelimit.take(db, limit, "192.0.2.77")
    stored = list(db[ratelimit.COLLECTION].find({"_id": {"$regex": "^probe"}}))
    assert stored and "192.0.2.77" not in str(stored)

    def swept() -> bool:
        # Another test's ended windows may be swept first: wait for this one's to be gone.
        ratelimit.sweep(db)
        return list(db[ratelimit.COLLECTION].find({"_id": {"$regex": "^probe"}})) == []

    wait_for(swept, 5, 0.1, "the window of a second to end and be swept")


def test_a_block_reached_in_another_process_is_known_here_within_seconds(db, monkeypatch):
    limit = ratelimit.Limit("spread", 2, 600)
    key = f"10.5.{uuid.uuid4().int % 250}.5"
    ratelimit.check(db, limit, key)  # this process has read the blocked windows just now
    # Another process records the failures that reach the limit: its counter and its block.
    window, ends = ratelimit._window(limit, key, time.time())
    db[ratelimit.COLLECTION].insert_one({"_id": window, "n": 2})
    db[ratelimit.BLOCKED].insert_one({"_id": window, "ends": datetime.fromtimestamp(ends, UTC)})

    def blocked() -> bool:
        try:
            ratelimit.check(db, limit, key)
        except ratelimit.TooManyRequests:
            return True
        return False

    wait_for(blocked, ratelimit.BLOCKED_REFRESH_SECONDS + 1, 0.1, "the block to be known here")


def test_parallel_takes_of_one_key_allow_exactly_the_limit(db):
    # 8 clients race for a window of 100 from its very first event: FerretDB answers the losers
    # of the counter's creation with a duplicate key error (never a 500), and no count is lost.
    limit = ratelimit.Limit("race", 100, 600)
    key = f"10.6.{uuid.uuid4().int % 250}.6"

    def attempt(_i: int) -> bool:
        try:
            ratelimit.take(db, limit, key)
            return True
        except ratelimit.TooManyRequests:
            return False

    with ThreadPoolExecutor(max_workers=8) as pool:
        allowed = list(pool.map(attempt, range(400)))
    assert allowed.count(True) == 100
    window, _ends = ratelimit._window(limit, key, time.time())
    assert db[ratelimit.COLLECTION].find_one({"_id": window})["n"] == 400


def test_parallel_clients_file_exactly_the_limit_and_failures_are_counted_exactly(db, monkeypatch, tracking):
    from services.intake import store as intake_store
    from services.intake.app import create_app

    monkeypatch.setenv("RATE_SUBMISSIONS", "30/3600")
    config.reload()
    intake_store.ensure_indexes(db)
    body = complaint_body()
    me = f"10.11.{uuid.uuid4().int % 250}.1"
    before = db[intake_store.COMPLAINTS].count_documents({})

    def submit(_i: int) -> int:
        app = create_app({"TESTING": True}).test_client()
        return app.post("/api/v1/complaints", json=body, headers=client(me)).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(submit, range(80)))
    assert answers.count(201) == 30 and answers.count(429) == 50
    assert db[intake_store.COMPLAINTS].count_documents({}) == before + 30

    # 8 clients guessing numbers in parallel: exactly the limit's 3 failures are answered 404.
    app, number = tracking
    guesser = f"10.12.{uuid.uuid4().int % 250}.1"

    def guess(i: int) -> int:
        email = "nadia@example.ma" if i % 10 == 0 else f"guess{i}@example.ma"
        return app.post(
            "/api/v1/tracking", json={"number": number, "email": email}, headers=client(guesser)
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        tracked = list(pool.map(guess, range(40)))
    assert tracked.count(404) == 3 and tracked.count(429) + tracked.count(200) == 37


def test_the_already_reported_listing_is_limited_per_client_exactly_under_parallel_clients(
    tracking, monkeypatch
):
    monkeypatch.setenv("RATE_NEARBY", "5/600")
    config.reload()
    app, _number = tracking
    query = {"category": "roads", "lat": "33.582", "lon": "-7.641"}
    me, other = f"10.13.{uuid.uuid4().int % 250}.1", f"10.13.{uuid.uuid4().int % 250}.2"
    asked = [app.get("/api/v1/complaints/nearby", query_string=query, headers=client(me)) for _ in range(6)]
    assert [answer.status_code for answer in asked] == [200] * 5 + [429]
    assert asked[-1].json["error"]["code"] == "too_many_requests"
    assert 1 <= int(asked[-1].headers["Retry-After"]) <= 600
    assert app.get("/api/v1/complaints/nearby", query_string=query, headers=client(other)).status_code == 200

    # 16 clients sweeping from one address in parallel: exactly the limit's 30 are answered.
    monkeypatch.setenv("RATE_NEARBY", "30/600")
    config.reload()
    sweeper = f"10.14.{uuid.uuid4().int % 250}.1"

    def sweep(i: int) -> int:
        point = {**query, "lat": str(33.58 + i / 100000)}
        return app.get("/api/v1/complaints/nearby", query_string=point, headers=client(sweeper)).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(sweep, range(100)))
    assert answers.count(200) == 30 and answers.count(429) == 70
