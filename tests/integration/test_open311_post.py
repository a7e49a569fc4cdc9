"""Submitting Open311 service requests against the real store: keys, districts, tokens, errors."""

from __future__ import annotations

import uuid
from xml.etree import ElementTree

import pytest

from common import config
from services.intake import keys, store
from services.intake.app import create_app
from tests.contract import open311_validator

BASE = "/open311/v2"


@pytest.fixture
def client(db):
    store.ensure_indexes(db)
    return create_app({"TESTING": True}).test_client()


@pytest.fixture
def api_key(db):
    return keys.issue(db, f"test client {uuid.uuid4().hex[:6]}", by="admin")["key"]


def post(client, api_key, fmt="json", **fields):
    return client.post(f"{BASE}/requests.{fmt}", data={"api_key": api_key, **fields})


def stored(db, number):
    return db[store.COMPLAINTS].find_one({"_id": number})


def test_a_request_becomes_a_complaint_with_its_number_and_a_token(db, client, api_key):
    answer = post(
        client,
        api_key,
        service_code="roads",
        **{"attribute[district]": "anfa", "attribute[kind]": "claim"},
        lat="33.5951",
        long="-7.6328",
        address_string="12 boulevard d'Anfa",
        description="Un trou profond devant le numéro 12.\nDangereux pour les vélos.",
        email="Amina@Example.ma",
        first_name="Amina",
        last_name="Bennani",
        phone="+212 600 00 00 00",
        media_url="https://photos.example.org/trou.jpg",
        device_id="device-1",
        account_id="account-9",
    )
    assert answer.status_code == 200, answer.json
    assert list(open311_validator("RequestResponse").iter_errors(answer.json)) == []
    [receipt] = answer.json
    number = receipt["service_request_id"]
    assert number.startswith("RC-") and receipt["token"] and receipt["account_id"] == "account-9"
    assert "10" in receipt["service_notice"] and "45" in receipt["service_notice"]  # the roads deadlines
    complaint = stored(db, number)
    assert complaint["district"] == "anfa" and complaint["kind"] == "claim"
    assert complaint["subject"] == "Un trou profond devant le numéro 12."
    assert complaint["location"] == {"lat": 33.5951, "lon": -7.6328}
    assert complaint["citizen"] == {
        "name": "Amina Bennani",
        "email": "Amina@Example.ma",
        "phone": "+212 600 00 00 00",
        "language": "fr",
    }
    assert complaint["channel"]["via"] == "open311" and complaint["channel"]["device_id"] == "device-1"
    assert complaint["channel"]["media_url"] == "https://photos.example.org/trou.jpg"
    assert complaint["consent"]["given"] is True

    token = client.get(f"{BASE}/tokens/{receipt['token']}.json")
    assert list(open311_validator("TokenResponse").iter_errors(token.json)) == []
    assert token.status_code == 200 and token.json == [
        {"service_request_id": number, "token": receipt["token"]}
    ]
    root = ElementTree.fromstring(client.get(f"{BASE}/tokens/{receipt['token']}.xml").data)
    assert root.tag == "service_requests" and root.find("request").findtext("service_request_id") == number
    assert client.get(f"{BASE}/tokens/nothing.json").status_code == 404


def test_the_answer_comes_in_xml_too(db, client, api_key):
    answer = post(client, api_key, "xml", service_code="safety", address_string="Place des Nations Unies")
    assert answer.status_code == 200 and answer.content_type.startswith("text/xml")
    request = ElementTree.fromstring(answer.data).find("request")
    number = request.findtext("service_request_id")
    assert stored(db, number)["category"] == "safety" and request.findtext("token")


def test_the_district_is_named_or_placed_by_the_point_or_left_to_staff(db, client, api_key):
    def district(**fields):
        answer = post(client, api_key, service_code="public-lighting", **fields)
        assert answer.status_code == 200, answer.json
        return stored(db, answer.json[0]["service_request_id"])["district"], answer.json[0]["service_notice"]

    assert district(jurisdiction_id="maarif", address_string="Rue X")[0] == "maarif"
    assert (
        district(jurisdiction_id="casablanca", **{"attribute[district]": "sbata"}, address_string="X")[0]
        == "sbata"
    )
    assert district(lat="33.577", long="-7.636")[0] == "maarif"  # a few hundred metres from its centre
    assert district(lat="33.598", long="-7.617")[0] == "sidi-belyout"
    far, notice = district(lat="34.02", long="-6.84")  # Rabat
    assert far is None and "rattacheront" in notice
    alone, _notice = district(address_string="Derb Sultan, près de la mosquée")
    assert alone is None


def test_a_request_without_description_or_email_is_taken_and_named_after_its_service(db, client, api_key):
    answer = post(client, api_key, service_code="green-spaces", address_id="A-1234", locale="en")
    assert answer.status_code == 200, answer.json
    assert list(open311_validator("RequestResponse").iter_errors(answer.json)) == []
    assert "account_id" not in answer.json[0]
    complaint = stored(db, answer.json[0]["service_request_id"])
    assert complaint["subject"] == "Green spaces" and complaint["description"] == "Green spaces"
    assert complaint["address"] == "address_id A-1234" and complaint["citizen"]["email"] is None
    assert complaint["citizen"]["language"] == "en"
    assert "Staff will place it" in answer.json[0]["service_notice"]


def test_blank_optional_fields_are_absent(db, client, api_key):
    answer = post(
        client, api_key, service_code="roads", address_string="Rue Y", lat="", long="", email=" ", phone=""
    )
    assert answer.status_code == 200, answer.json
    complaint = stored(db, answer.json[0]["service_request_id"])
    assert complaint["location"] is None and complaint["citizen"]["email"] is None


@pytest.mark.parametrize(
    "fields, status, words",
    [
        ({"service_code": "roads"}, 400, "location"),
        ({"address_string": "Rue X"}, 400, "service_code"),
        ({"service_code": "weather", "address_string": "Rue X"}, 400, "weather"),
        ({"service_code": "roads", "lat": "33.5"}, 400, "long"),
        ({"service_code": "roads", "lat": "north", "long": "-7.6"}, 400, "lat"),
        ({"service_code": "roads", "lat": "123", "long": "-7.6"}, 400, "lat"),
        ({"service_code": "roads", "address_string": "X", "email": "not-an-address"}, 400, "email"),
        (
            {"service_code": "roads", "address_string": "X", "media_url": "file:///etc/passwd"},
            400,
            "media_url",
        ),
        ({"service_code": "roads", "address_string": "X", "description": "x" * 4001}, 400, "description"),
        ({"service_code": "roads", "address_string": "X", "colour": "red"}, 400, "colour"),
        ({"service_code": "roads", "address_string": "X", "attribute[size]": "big"}, 400, "size"),
        ({"service_code": "roads", "address_string": "X", "attribute[district]": "paris"}, 400, "paris"),
        ({"service_code": "roads", "address_string": "X", "attribute[kind]": "praise"}, 400, "kind"),
        (
            {
                "service_code": "roads",
                "address_string": "X",
                "jurisdiction_id": "anfa",
                "attribute[district]": "sbata",
            },
            400,
            "different",
        ),
        ({"service_code": "roads", "address_string": "X", "jurisdiction_id": "rabat"}, 404, "rabat"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_requests_are_refused_in_the_specification_shape_and_change_nothing(
    db, client, api_key, fields, status, words, fmt
):
    before = db[store.COMPLAINTS].count_documents({})
    answer = post(client, api_key, fmt, **fields)
    assert answer.status_code == status
    if fmt == "json":
        [error] = answer.json
        assert error["code"] == status and words in error["description"]
    else:
        error = ElementTree.fromstring(answer.data).find("error")
        assert error.findtext("code") == str(status) and words in error.findtext("description")
    assert db[store.COMPLAINTS].count_documents({}) == before


def test_only_an_active_key_may_submit(db, client, monkeypatch):
    before = db[store.COMPLAINTS].count_documents({})
    assert (
        client.post(
            f"{BASE}/requests.json", data={"service_code": "roads", "address_string": "X"}
        ).status_code
        == 403
    )
    assert post(client, "o311_guessed", service_code="roads", address_string="X").status_code == 403
    issued = keys.issue(db, "revoked soon", by="admin")
    assert post(client, issued["key"], service_code="roads", address_string="X").status_code == 200
    keys.revoke(db, issued["id"], by="admin")
    refused = post(client, issued["key"], "xml", service_code="roads", address_string="X")
    assert refused.status_code == 403 and ElementTree.fromstring(refused.data).find("error") is not None
    assert db[store.COMPLAINTS].count_documents({}) == before + 1

    seeded = f"seeded-{uuid.uuid4().hex}"
    monkeypatch.setenv("OPEN311_API_KEY", seeded)
    config.reload()
    keys.seed(db)
    keys.seed(db)  # every start seeds it again: still one key
    assert post(client, seeded, service_code="roads", address_string="X").status_code == 200
    assert db[keys.KEYS].count_documents({"_id": keys.digest(seeded)}) == 1
    assert db[keys.KEYS].find_one({"_id": keys.digest(seeded)}).get("key") is None
    assert not any(seeded in str(d) for d in db[keys.KEYS].find({}))  # only its digest is kept


def staff_account(db, username: str, role: str) -> dict:
    """Return a staff account of the run's store, made when absent (tokens are checked against it)."""
    from services.tracking import accounts, staff_store

    account = accounts._account(
        username=username, password="une-phrase-longue", role=role, districts=["anfa"], created_by="test"
    )
    staff_store.create_staff(db, account, [])
    return staff_store.find_staff(db, username)


def test_keys_are_managed_by_administrators_and_shown_once(db, client):
    from common import tokens

    admin, agent = (
        {"Authorization": f"Bearer {tokens.issue_staff(staff_account(db, username, role))}"}
        for username, role in (("root", "admin"), ("karim", "agent"))
    )
    assert client.post("/api/v1/staff/open311-keys", json={"name": "x"}, headers=agent).status_code == 403
    assert client.get("/api/v1/staff/open311-keys").status_code == 401
    assert client.post("/api/v1/staff/open311-keys", json={"name": ""}, headers=admin).status_code == 400
    assert (
        client.post(
            "/api/v1/staff/open311-keys", json={"name": "x", "key": "mine"}, headers=admin
        ).status_code
        == 400
    )
    made = client.post("/api/v1/staff/open311-keys", json={"name": "Allo Casa app"}, headers=admin)
    assert made.status_code == 201
    issued = made.json
    assert issued["key"].startswith("o311_") and issued["created_by"] == "root" and issued["active"]
    listed = client.get("/api/v1/staff/open311-keys", headers=admin).json["items"]
    mine = next(k for k in listed if k["id"] == issued["id"])
    assert "key" not in mine and mine["hint"] == issued["key"][:9] + "…" and mine["name"] == "Allo Casa app"
    assert issued["key"] not in str(listed)
    revoked = client.delete(f"/api/v1/staff/open311-keys/{issued['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json["active"] is False and revoked.json["revoked_at"]
    assert client.delete("/api/v1/staff/open311-keys/nothing", headers=admin).status_code == 404


def test_each_key_has_its_own_hourly_limit(db, client, api_key, monkeypatch):
    monkeypatch.setenv("RATE_OPEN311_SUBMISSIONS", "1/3600")
    config.reload()
    assert post(client, api_key, service_code="roads", address_string="X").status_code == 200
    refused = post(client, api_key, "xml", service_code="roads", address_string="X")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert ElementTree.fromstring(refused.data).find("error").findtext("code") == "429"
    other = keys.issue(db, "another app", by="admin")["key"]
    assert post(client, other, service_code="roads", address_string="X").status_code == 200
