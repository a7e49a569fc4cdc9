"""Open311 publishes a citizen's words and place only with their consent, and never their reopening reason.

Complaints are filed through intake's API (or Open311 POST), travel on the real broker as
`complaint.submitted`, and are recorded by tracking's handler, as the workers do.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from xml.etree import ElementTree

import pytest

from services.intake import keys
from services.intake import store as intake_store
from services.intake.app import create_app as intake_app
from services.tracking import domain, privacy, treatment
from services.tracking import handlers as tracking_handlers
from services.tracking import store as tracking_store
from services.tracking.app import create_app as tracking_app
from tests.contract import open311_validator

BASE = "/open311/v2"
ADMIN = {"sub": "root", "role": "admin", "districts": ["*"]}
SUBJECT = "Dépôt sauvage rue Ibnou Mounir"
DESCRIPTION = "Des gravats bloquent le trottoir devant l'école Al Amal depuis lundi."
ADDRESS = "14 rue Ibnou Mounir"
POINT = {"lat": 33.5812, "lon": -7.6457}
REASON = "Rien n'a changé, appelez-moi au +212 661 23 45 67"
STAFF_NOTES = ("Équipe de nettoyage envoyée.", "Gravats enlevés le 12 mars.")


@pytest.fixture
def intake(db):
    intake_store.ensure_indexes(db)
    return intake_app({"TESTING": True}).test_client()


@pytest.fixture
def tracking(db):
    tracking_store.ensure_indexes(db)
    return tracking_app({"TESTING": True}).test_client()


def complaint_body(email: str, **changes) -> dict:
    return {
        "kind": "complaint",
        "category": "cleanliness",
        "district": "maarif",
        "subject": SUBJECT,
        "description": DESCRIPTION,
        "address": ADDRESS,
        "location": POINT,
        "citizen": {"name": "Samira Tazi", "email": email, "phone": "+212 600 98 76 54"},
        "consent": True,
        **changes,
    }


def recorded(listen, send) -> tuple[str, dict]:
    """Send a submission; hand its complaint.submitted, as the broker delivered it, to tracking."""
    messages = listen("complaint.submitted")
    number = send()
    [event] = [e for e in messages(1) if e["subject"] == number]
    tracking_handlers.on_submitted(event)
    return number, event


def file(intake, listener, *, multipart: bool = False, **changes) -> tuple[str, str, dict]:
    """File a web complaint; return its number, its citizen's email and its submitted event."""
    email = f"samira.{uuid.uuid4().hex[:6]}@example.ma"
    body = complaint_body(email, **changes)

    def send() -> str:
        if multipart:
            answer = intake.post("/api/v1/complaints", data={"complaint": json.dumps(body)})
        else:
            answer = intake.post("/api/v1/complaints", json=body)
        assert answer.status_code == 201, answer.json
        return answer.json["number"]

    number, event = recorded(listener, send)
    return number, email, event


def answer_then_reopen(db, number: str) -> None:
    """Staff answer with public notes; the citizen reopens with a reason holding their phone."""
    treatment.transition(db, ADMIN, number, {"to": "in_progress", "public_note": STAFF_NOTES[0]})
    treatment.transition(db, ADMIN, number, {"to": "resolved", "public_note": STAFF_NOTES[1]})
    domain.reopen(db, number, REASON)


def _its_items(answer, fmt: str, number: str) -> str:
    """Return the items of an Open311 answer about this complaint, as text (others' are left out)."""
    if fmt == "json":
        return json.dumps([i for i in answer.json if i["service_request_id"] == number], ensure_ascii=False)
    root = ElementTree.fromstring(answer.data)
    mine = [i for i in root if i.findtext("service_request_id") == number]
    return "".join(ElementTree.tostring(i, encoding="unicode") for i in mine)


def answers(tracking, number: str, since: str) -> dict[str, str]:
    """Return what every Open311 answer shows of the complaint, in JSON and XML, with extensions."""
    found = {}
    for fmt in ("json", "xml"):
        for path, params in (
            (f"requests/{number}.{fmt}", {"extensions": "true"}),
            (f"requests/{number}.{fmt}", {}),
            (f"requests.{fmt}", {"service_request_id": number, "extensions": "true"}),
            (f"requests.{fmt}", {"extensions": "true", "page_size": "200"}),
            (f"servicerequestupdates.{fmt}", {"start_date": since, "page_size": "200"}),
        ):
            answer = tracking.get(f"{BASE}/{path}", query_string=params)
            assert answer.status_code == 200, answer.get_data(as_text=True)
            found[f"{path}?{params}"] = _its_items(answer, fmt, number)
    return found


def one(tracking, number: str) -> dict:
    [request] = tracking.get(f"{BASE}/requests/{number}.json?extensions=true").json
    assert list(open311_validator("requests.json").iter_errors([request])) == []
    return request


def updates(tracking, number: str, since: str) -> list[dict]:
    listed = tracking.get(f"{BASE}/servicerequestupdates.json", query_string={"start_date": since}).json
    return [u for u in listed if u["service_request_id"] == number]


def a_moment_before(event: dict) -> str:
    from datetime import datetime

    at = datetime.fromisoformat(event["data"]["submitted_at"]) - timedelta(seconds=1)
    return at.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize("publish", [True, False])
def test_a_reopening_reason_never_appears_in_any_open311_answer(db, intake, tracking, listener, publish):
    number, _email, event = file(intake, listener, publish=publish)
    answer_then_reopen(db, number)

    every = answers(tracking, number, a_moment_before(event))
    assert all(number in text for text in every.values())  # the complaint is in each answer
    leaks = [where for where, text in every.items() if "661 23 45 67" in text or "Rien n'a changé" in text]
    assert leaks == []
    request = one(tracking, number)
    assert request["status"] == "open" and [n["status"] for n in request["notes"]][-1] == "reopened"
    assert request["notes"][-1]["description"] is None
    reopening = updates(tracking, number, a_moment_before(event))[-1]
    assert reopening["extended_status"] == "reopened" and reopening["description"] is None
    if publish:  # the staff's last public note stands, not the citizen's reason after it
        assert request["status_notes"] == STAFF_NOTES[1]
        assert [n["description"] for n in request["notes"]][1:3] == list(STAFF_NOTES)
    else:
        assert request["status_notes"] is None


def test_without_consent_only_the_category_district_status_and_dates_are_published(
    db, intake, tracking, listener
):
    number, email, event = file(intake, listener)  # no `publish`: the default
    assert event["data"]["publish"] is False
    treatment.transition(db, ADMIN, number, {"to": "in_progress", "public_note": STAFF_NOTES[0]})

    request = one(tracking, number)
    assert request["service_code"] == "cleanliness" and request["service_name"]
    assert request["district"] == "maarif" and request["status"] == "open"
    assert request["agency_responsible"]
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert request[field]
    for field in ("description", "address", "lat", "long", "media_url", "status_notes", "subject"):
        assert request[field] is None, field
    assert [n["status"] for n in request["notes"]] == ["received", "in_progress"]
    assert all(n["description"] is None and n["datetime"] for n in request["notes"])
    root = ElementTree.fromstring(tracking.get(f"{BASE}/requests/{number}.xml?extensions=true").data)
    assert root.find("request").findtext("service_code") == "cleanliness"
    assert root.find("request").findtext("requested_datetime")

    for where, text in answers(tracking, number, a_moment_before(event)).items():
        for words in (SUBJECT, DESCRIPTION, ADDRESS, "Ibnou Mounir", "33.5812", "-7.6457", STAFF_NOTES[0]):
            assert words not in text, (where, words)

    # The citizen and staff still see everything, and that publication was not consented.
    tracked = tracking.post("/api/v1/tracking", json={"number": number, "email": email}).json["complaint"]
    assert tracked["publish"] is False and tracked["description"] == DESCRIPTION
    staff_view = treatment.read(db, ADMIN, number)
    assert staff_view["publish"] is False and staff_view["address"] == ADDRESS


@pytest.mark.parametrize("multipart", [False, True])
def test_with_consent_the_description_address_and_point_are_published(
    db, intake, tracking, listener, multipart
):
    number, email, event = file(intake, listener, multipart=multipart, publish=True)
    assert event["data"]["publish"] is True
    assert db[intake_store.COMPLAINTS].find_one({"_id": number})["publish"] is True
    treatment.transition(db, ADMIN, number, {"to": "in_progress", "public_note": STAFF_NOTES[0]})

    request = one(tracking, number)
    assert request["description"] == DESCRIPTION and request["subject"] == SUBJECT
    assert request["address"] == ADDRESS
    assert (request["lat"], request["long"]) == (POINT["lat"], POINT["lon"])
    assert request["status_notes"] == STAFF_NOTES[0]
    xml = ElementTree.fromstring(tracking.get(f"{BASE}/requests.xml?service_request_id={number}").data)
    assert xml.find("request").findtext("description") == DESCRIPTION
    text = "".join(answers(tracking, number, a_moment_before(event)).values())
    assert "Samira" not in text and email not in text and "98 76 54" not in text  # never the person

    tracked = tracking.post("/api/v1/tracking", json={"number": number, "email": email}).json["complaint"]
    assert tracked["publish"] is True
    assert treatment.read(db, ADMIN, number)["publish"] is True


def test_an_anonymised_complaint_publishes_nothing_of_its_citizens_words(db, intake, tracking, listener):
    number, _email, _event = file(intake, listener, publish=True)
    treatment.transition(db, ADMIN, number, {"to": "in_progress", "public_note": STAFF_NOTES[0]})
    assert one(tracking, number)["description"] == DESCRIPTION

    assert privacy.anonymise(db, number, reason="request", by="root")
    request = one(tracking, number)
    for field in ("description", "subject", "address", "lat", "long", "status_notes"):
        assert request[field] is None, field
    assert request["service_code"] == "cleanliness" and request["status"] == "open"
    assert treatment.read(db, ADMIN, number)["publish"] is False


@pytest.mark.parametrize("value", ["true", 1, "yes", None, {"$ne": False}, [True]])
@pytest.mark.parametrize("multipart", [False, True])
def test_intake_refuses_a_publish_that_is_not_a_boolean(intake, value, multipart):
    body = complaint_body("refused@example.ma", publish=value)
    if multipart:
        answer = intake.post("/api/v1/complaints", data={"complaint": json.dumps(body)})
    else:
        answer = intake.post("/api/v1/complaints", json=body)
    assert answer.status_code == 400
    error = answer.json["error"]
    assert error["code"] == "validation_error" and error["message"]
    assert list(error["fields"]) == ["publish"] and error["fields"]["publish"] != ["Unknown field."]


@pytest.fixture
def api_key(db):
    return keys.issue(db, f"publication test {uuid.uuid4().hex[:6]}", by="admin")["key"]


@pytest.mark.parametrize("consent", ["true", "false", None])
def test_an_open311_client_passes_the_citizens_consent_as_an_attribute(
    db, intake, tracking, listener, api_key, consent
):
    form = {
        "api_key": api_key,
        "service_code": "roads",
        "attribute[district]": "anfa",
        "lat": "33.5951",
        "long": "-7.6328",
        "address_string": ADDRESS,
        "description": DESCRIPTION,
        "media_url": "https://photos.example.org/gravats.jpg",
    }
    if consent:
        form["attribute[publish]"] = consent

    def send() -> str:
        answer = intake.post(f"{BASE}/requests.json", data=form)
        assert answer.status_code == 200, answer.json
        return answer.json[0]["service_request_id"]

    number, event = recorded(listener, send)
    assert event["data"]["publish"] is (consent == "true")
    request = one(tracking, number)
    if consent == "true":
        assert request["description"] == DESCRIPTION and request["address"] == ADDRESS
        assert request["lat"] == 33.5951 and request["media_url"] == "https://photos.example.org/gravats.jpg"
    else:
        assert [request[f] for f in ("description", "address", "lat", "long", "media_url")] == [None] * 5

    refused = intake.post(f"{BASE}/requests.json", data={**form, "attribute[publish]": "maybe"})
    assert refused.status_code == 400 and "attribute[publish]" in refused.json[0]["description"]
