"""Staff passwords: the city's, the country's and the platform's words and years are easy to guess.

An administrator, who can do everything, needs zxcvbn's top score (4); any other member 3. The
members API is driven with the Flask test client; the store and the catalogue are stand-ins.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from common import config, mongo, tokens
from services.tracking import accounts, staff_store
from services.tracking.app import create_app

NOW = datetime(2026, 3, 1, tzinfo=UTC)
STRONG = "lanterne-sardine-olivier-91"  # a passphrase of uncommon words
SCORE_3 = "violet-panda"  # safe enough against an online attacker, not against an offline one
# The catalogue as intake serves it: an administrator added a district the defaults do not have.
CATALOGUE = {
    "anfa": {"fr": "Anfa", "ar": "أنفا", "en": "Anfa"},
    "derb-ghallef": {"fr": "Derb Ghallef", "ar": "درب غلف", "en": "Derb Ghallef"},
}


def _account(username: str, role: str) -> dict:
    return {
        "_id": username,
        "role": role,
        "districts": ["*"] if role == "admin" else ["anfa"],
        "name": None,
        "email": None,
        "language": "fr",
        "active": True,
        "created_at": NOW,
    }


@pytest.fixture
def members(monkeypatch):
    accounts_by_name = {"root": _account("root", "admin"), "nadia": _account("nadia", "agent")}
    monkeypatch.setattr(
        tokens, "staff_claims", lambda _header: {"sub": "root", "role": "admin", "districts": ["*"]}
    )
    monkeypatch.setattr(mongo, "database", lambda: None)
    monkeypatch.setattr(accounts, "catalogue_districts", lambda: CATALOGUE)
    monkeypatch.setattr(staff_store, "create_staff", lambda _db, _account, _events: True)
    monkeypatch.setattr(staff_store, "find_staff", lambda _db, username: accounts_by_name.get(username))

    def update_staff(_db, username, changes, *_args, **_kwargs):
        accounts_by_name[username] = {**accounts_by_name[username], **changes}
        return accounts_by_name[username]

    monkeypatch.setattr(staff_store, "update_staff", update_staff)
    client = create_app({"TESTING": True}).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer x"
    return client


def create(client, password: str, role: str = "agent", username: str = "karim.agent"):
    body = {"username": username, "password": password, "role": role, "districts": ["anfa"]}
    return client.post("/api/v1/staff/members", json=body)


def refused(answer) -> str:
    assert answer.status_code == 400, answer.get_data(as_text=True)
    error = answer.json["error"]
    assert list(error["fields"]) == ["password"]
    [advice] = error["fields"]["password"]
    assert len(advice) > 20  # says why, and what to choose instead
    return advice


def test_admin_at_2026_is_refused_for_an_administrator(members):
    advice = refused(create(members, "Admin@2026", role="admin", username="karim"))
    assert "admin" in advice.lower() or "guess" in advice.lower()


@pytest.mark.parametrize("password", ["Maroc2026!", "Casablanca2026", "Rabat2026!"])
def test_the_city_the_country_and_the_year_are_refused_for_any_member(members, password):
    refused(create(members, password))
    refused(members.patch("/api/v1/staff/members/nadia", json={"password": password}))


@pytest.mark.parametrize(
    "password",
    ["Reclamation2026", "Plainte@2027", "Arrondissement1!", "DarBida2025!", "Marocain2024", "AnfaAnfa2026"],
)
def test_the_platforms_words_and_the_districts_are_refused(members, password):
    refused(create(members, password))


def test_the_districts_are_the_catalogues(members):
    refused(create(members, "Derbghallef2026!"))  # a district only the store's catalogue has


def test_a_strong_passphrase_is_accepted_for_an_administrator(members):
    made = create(members, STRONG, role="admin", username="karim")
    assert made.status_code == 201 and made.json["role"] == "admin"
    changed = members.patch("/api/v1/staff/members/root", json={"password": STRONG})
    assert changed.status_code == 200


def test_a_password_good_enough_for_an_agent_is_not_for_an_administrator(members):
    assert create(members, SCORE_3).status_code == 201
    assert members.patch("/api/v1/staff/members/nadia", json={"password": SCORE_3}).status_code == 200
    assert "administrator" in refused(create(members, SCORE_3, role="admin", username="karim"))
    refused(members.patch("/api/v1/staff/members/root", json={"password": SCORE_3}))
    # Demoted in the same change, the member is an agent: the agent's rule applies.
    demoted = {"password": SCORE_3, "role": "agent", "districts": ["anfa"]}
    assert members.patch("/api/v1/staff/members/root", json=demoted).status_code == 200


def test_a_member_made_administrator_is_given_a_password_for_it(members):
    refused(members.patch("/api/v1/staff/members/nadia", json={"role": "admin"}))
    refused(members.patch("/api/v1/staff/members/nadia", json={"role": "admin", "password": SCORE_3}))
    promoted = members.patch("/api/v1/staff/members/nadia", json={"role": "admin", "password": STRONG})
    assert promoted.status_code == 200 and promoted.json["role"] == "admin"
    # Already an administrator: a change of other details asks for no password.
    assert (
        members.patch("/api/v1/staff/members/root", json={"role": "admin", "name": "Root"}).status_code == 200
    )


def test_a_password_longer_than_zxcvbn_reads_is_judged_not_a_500(members):
    assert create(members, STRONG + "-" + "x" * 100, role="admin", username="karim").status_code == 201


@pytest.fixture
def first_start(monkeypatch):
    created = []
    monkeypatch.setattr(staff_store, "find_staff", lambda _db, _username: None)
    monkeypatch.setattr(
        staff_store, "create_staff", lambda _db, account, _events: created.append(account) or True
    )

    def start(password: str) -> list[dict]:
        monkeypatch.setenv("ADMIN_PASSWORD", password)
        config.reload()
        accounts.bootstrap_admin(None)
        return created

    yield start
    monkeypatch.delenv("ADMIN_PASSWORD")
    config.reload()


@pytest.mark.parametrize("password", ["Admin@2026", "Casablanca2026", SCORE_3])
def test_the_first_administrator_is_created_with_a_warning_when_weak_by_the_new_rule(
    first_start, caplog, password
):
    with caplog.at_level(logging.WARNING, logger=accounts.__name__):
        created = first_start(password)
    assert [a["role"] for a in created] == ["admin"]  # created all the same, as before
    assert any("ADMIN_PASSWORD" in r.getMessage() for r in caplog.records)


def test_a_strong_first_administrator_password_gives_no_warning(first_start, caplog):
    with caplog.at_level(logging.WARNING, logger=accounts.__name__):
        assert len(first_start(STRONG)) == 1
    assert not any("ADMIN_PASSWORD" in r.getMessage() for r in caplog.records)
