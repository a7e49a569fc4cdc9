"""A staff token holds only while the account stays as it was: every service checks it, every time."""

from __future__ import annotations

import uuid

import pytest

from services.tracking import accounts, staff_store
from tests.integration.staff import make_member, sign_in


def staff_calls(apps, bearer: dict) -> dict[str, int]:
    """What a member's token is answered by each service, on an administrator's request of each."""
    made = f"n{uuid.uuid4().hex[:8]}"
    return {
        "create an admin": apps["tracking"]
        .post(
            "/api/v1/staff/members",
            json={"username": made, "password": "une-autre-phrase-longue", "role": "admin"},
            headers=bearer,
        )
        .status_code,
        "list members": apps["tracking"].get("/api/v1/staff/members", headers=bearer).status_code,
        "issue an Open311 key": apps["intake"]
        .post("/api/v1/staff/open311-keys", json={"name": "app"}, headers=bearer)
        .status_code,
        "export figures": apps["feedback"].get("/api/v1/staff/exports/stats.csv", headers=bearer).status_code,
    }


CALLS = ("create an admin", "list members", "issue an Open311 key", "export figures")
ALL_REFUSED = dict.fromkeys(CALLS, 401)


@pytest.mark.parametrize(
    "change",
    [
        {"active": False},
        {"password": "un-nouveau-mot-de-passe-solide"},
        {"role": "agent", "districts": ["anfa"]},
        {"active": False, "role": "agent", "districts": ["anfa"], "password": "encore-une-autre-phrase"},
    ],
    ids=["deactivated", "password changed", "demoted", "all at once"],
)
def test_a_change_of_the_account_ends_the_tokens_issued_before_it(db, apps, change, monkeypatch):
    monkeypatch.setattr(accounts, "known_districts", lambda: {"anfa", "sbata"})
    root, other = make_member(db), make_member(db)
    root_token, old_token = sign_in(apps["tracking"], root), sign_in(apps["tracking"], other)
    assert set(staff_calls(apps, old_token).values()) <= {200, 201}

    changed = apps["tracking"].patch(f"/api/v1/staff/members/{other}", json=change, headers=root_token)
    assert changed.status_code == 200, changed.json

    assert staff_calls(apps, old_token) == ALL_REFUSED
    refused = apps["tracking"].get("/api/v1/staff/members", headers=old_token).json
    assert refused["error"]["code"] == "unauthorized"
    if change.get("active") is not False:  # a member still active signs in again, with the new rights
        password = change.get("password", "une-phrase-assez-longue")
        fresh = sign_in(apps["tracking"], other, password)
        expected = 200 if change.get("role", "admin") == "admin" else 403
        assert apps["tracking"].get("/api/v1/staff/members", headers=fresh).status_code == expected
    assert staff_calls(apps, root_token)["list members"] == 200  # the administrator's own token holds


def test_a_change_of_an_agents_districts_ends_their_sessions(db, apps, monkeypatch):
    monkeypatch.setattr(accounts, "known_districts", lambda: {"anfa", "sbata"})
    root, agent = make_member(db), make_member(db, role="agent")
    root_token, token = sign_in(apps["tracking"], root), sign_in(apps["tracking"], agent)
    assert apps["tracking"].get("/api/v1/staff/complaints", headers=token).status_code == 200
    same = apps["tracking"].patch(
        f"/api/v1/staff/members/{agent}", json={"districts": ["anfa"]}, headers=root_token
    )
    assert same.status_code == 200  # the same districts: nothing changed, the session holds
    assert apps["tracking"].get("/api/v1/staff/complaints", headers=token).status_code == 200
    moved = apps["tracking"].patch(
        f"/api/v1/staff/members/{agent}", json={"districts": ["sbata"]}, headers=root_token
    )
    assert moved.status_code == 200
    assert apps["tracking"].get("/api/v1/staff/complaints", headers=token).status_code == 401


def test_a_change_of_name_or_language_keeps_the_session(db, apps):
    root, other = make_member(db), make_member(db)
    root_token, token = sign_in(apps["tracking"], root), sign_in(apps["tracking"], other)
    # As the back office's form sends it: every field, the unchanged role and active state too.
    same = {"name": "Salma", "language": "ar", "active": True, "role": "admin", "districts": []}
    changed = apps["tracking"].patch(f"/api/v1/staff/members/{other}", json=same, headers=root_token)
    assert changed.status_code == 200
    assert apps["tracking"].get("/api/v1/staff/members", headers=token).status_code == 200


def test_signing_out_ends_every_session_of_the_member_at_once(db, apps):
    member = make_member(db)
    phone, desk = sign_in(apps["tracking"], member), sign_in(apps["tracking"], member)
    assert apps["tracking"].post("/api/v1/staff/logout", headers=phone).status_code == 204
    assert staff_calls(apps, phone) == ALL_REFUSED
    assert staff_calls(apps, desk) == ALL_REFUSED
    assert apps["tracking"].post("/api/v1/staff/logout", headers=phone).status_code == 401
    again = sign_in(apps["tracking"], member)
    assert apps["tracking"].get("/api/v1/staff/members", headers=again).status_code == 200


def test_a_deleted_account_and_a_token_without_generation_are_refused(db, apps):
    from common import tokens

    member = make_member(db)
    token = sign_in(apps["tracking"], member)
    # A token of the form issued before generations existed, validly signed, names no generation.
    legacy = tokens.issue(tokens.STAFF_PURPOSE, {"sub": member, "role": "admin", "districts": ["*"]})
    assert staff_calls(apps, {"Authorization": f"Bearer {legacy}"}) == ALL_REFUSED
    db[staff_store.STAFF].delete_one({"_id": member})
    assert staff_calls(apps, token) == ALL_REFUSED


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaa",
        "1234567890",
        "azertyuiop",
        "motdepasse123",
        "password123",
        "{username}-2026",
        "Admin@2026",
        "Casablanca2026",
        "violet-panda",  # good enough for an agent, not for an administrator
    ],
)
def test_common_and_repetitive_passwords_are_refused(db, apps, password):
    root = make_member(db)
    admin = sign_in(apps["tracking"], root)
    username = f"salma{uuid.uuid4().hex[:4]}"
    made = apps["tracking"].post(
        "/api/v1/staff/members",
        json={"username": username, "password": password.format(username=username), "role": "admin"},
        headers=admin,
    )
    assert made.status_code == 400 and "password" in made.json["error"]["fields"]
    assert staff_store.find_staff(db, username) is None
    changed = apps["tracking"].patch(
        f"/api/v1/staff/members/{root}", json={"password": password.format(username=root)}, headers=admin
    )
    assert changed.status_code == 400 and "password" in changed.json["error"]["fields"]
    assert apps["tracking"].get("/api/v1/staff/members", headers=admin).status_code == 200  # unchanged
