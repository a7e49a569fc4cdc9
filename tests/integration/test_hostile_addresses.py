"""An address holding control characters, against the real store: refused at every way in, never mailed.

`"a\\u0007\\u001b"@example.ma` is a quoted local part with BEL and ESC: marshmallow's Email takes
it, and it would reach the `To:` header raw (finding 9 of issue 26).
"""

from __future__ import annotations

import uuid

import pytest

from tests.integration.complaints import submission
from tests.integration.mail import submitted, with_number

HOSTILE = '"a\u0007\u001b"@example.ma'


def client_address() -> dict:
    return {"X-Forwarded-For": f"10.8.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"}


@pytest.fixture
def intake(db):
    from services.intake import keys, store
    from services.intake.app import create_app

    store.ensure_indexes(db)
    keys.seed(db)
    return create_app({"TESTING": True}).test_client()


@pytest.fixture
def tracking(db):
    from services.tracking import store
    from services.tracking.app import create_app

    store.ensure_indexes(db)
    return create_app({"TESTING": True}).test_client()


def test_a_complaint_from_such_an_address_is_a_400_naming_the_citizens_email(db, intake):
    from services.intake import store

    marker = uuid.uuid4().hex[:10]
    body = {
        "kind": "complaint",
        "category": "roads",
        "district": "anfa",
        "subject": f"Nid {marker}",
        "description": "Un trou.",
        "citizen": {"email": HOSTILE},
        "consent": True,
    }
    answer = intake.post("/api/v1/complaints", json=body, headers=client_address())
    assert answer.status_code == 400, answer.json
    assert answer.json["error"]["code"] == "validation_error"
    assert list(answer.json["error"]["fields"]) == ["citizen"]
    assert list(answer.json["error"]["fields"]["citizen"]) == ["email"]
    assert db[store.COMPLAINTS].count_documents({"subject": f"Nid {marker}"}) == 0


def test_following_from_such_an_address_is_a_400_naming_the_email(db, tracking):
    from services.tracking import handlers, store

    data = submission()
    handlers.record_submitted(db, data)
    answer = tracking.post(
        f"/api/v1/complaints/{data['number']}/followers",
        json={"email": HOSTILE, "language": "fr"},
        headers=client_address(),
    )
    assert answer.status_code == 400, answer.json
    assert answer.json["error"]["code"] == "validation_error"
    assert list(answer.json["error"]["fields"]) == ["email"]
    assert not db[store.COMPLAINTS].find_one({"_id": data["number"]}).get("followers")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_open311_request_from_such_an_address_is_a_400_in_open311s_shape(db, intake, fmt):
    from services.intake import keys, store

    api_key = keys.issue(db, f"hostile {uuid.uuid4().hex[:6]}", by="admin")["key"]
    marker = uuid.uuid4().hex[:10]
    answer = intake.post(
        f"/open311/v2/requests.{fmt}",
        data={"api_key": api_key, "service_code": "roads", "address_string": marker, "email": HOSTILE},
    )
    assert answer.status_code == 400, answer.data
    if fmt == "json":
        [error] = answer.json
        assert error["code"] == 400 and "email" in error["description"]
    else:
        assert b"<errors><error><code>400</code>" in answer.data and b"email" in answer.data
    assert db[store.COMPLAINTS].count_documents({"address": marker}) == 0


def test_an_address_with_control_characters_that_got_in_is_refused_for_good_not_mailed(
    db,
    mailbox,
    listener,
):
    from services.notification import handlers, store

    failures = listener("notification.failed")
    event = with_number(submitted(HOSTILE))
    handlers.on_submitted(db, event)
    assert mailbox.messages(event["subject"]) == []
    delivery = db[store.DELIVERIES].find_one({"number": event["subject"], "template": "acknowledgement"})
    assert delivery["status"] == "failed"
    [reported] = failures(1)
    assert reported["data"]["status"] == "failed" and HOSTILE not in str(reported)
