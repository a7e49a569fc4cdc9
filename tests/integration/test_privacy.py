"""Personal data against the real store: anonymised after retention, exported and erased on request."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from common.envelope import utcnow
from common.errors import Forbidden, NotFound
from services.tracking import domain, handlers, privacy, store, treatment
from services.tracking import queue as staff_queue
from tests.integration.complaints import submission

ADMIN = {"sub": "root", "role": "admin", "districts": ["*"]}


@pytest.fixture
def tracking_db(db):
    store.ensure_indexes(db)
    return db


def citizen_complaint(db, email: str, **changes) -> str:
    data = submission(
        citizen={"name": "Nadia Secret", "email": email, "phone": "+212611111111", "language": "ar"},
        address="12 rue des Secrets",
        location={"lat": 33.59, "lon": -7.63},
    )
    handlers.record_submitted(db, data)
    number = data["number"]
    domain.add_remark(db, number, "Mon voisin M. Untel est témoin")
    if changes:
        db[store.COMPLAINTS].update_one({"_id": number}, {"$set": changes})
    return number


def personal(view: dict) -> str:
    return repr(view)


def test_complaints_closed_past_the_retention_are_anonymised_once(tracking_db, listener, monkeypatch):
    published = listener("complaint.anonymised")
    email = f"nadia.{uuid.uuid4().hex[:6]}@example.ma"
    old = citizen_complaint(tracking_db, email, status="closed", closed_at=utcnow() - timedelta(days=800))
    recent = citizen_complaint(tracking_db, email, status="closed", closed_at=utcnow() - timedelta(days=10))
    still_open = citizen_complaint(tracking_db, email)
    tracking_db[store.COMPLAINTS].update_one(
        {"_id": still_open}, {"$set": {"submitted_at": utcnow() - timedelta(days=900)}}
    )
    assert privacy.anonymise_expired(tracking_db) >= 1
    assert privacy.anonymise_expired(tracking_db) == 0  # once

    gone = treatment.read(tracking_db, ADMIN, old)
    assert gone["citizen"] == {"name": None, "email": None, "phone": None, "language": "ar"}
    assert "Nadia" not in personal(gone) and email not in personal(gone) and "+212" not in personal(gone)
    assert "12 rue des Secrets" not in personal(gone) and "Untel" not in personal(gone)
    assert gone["subject"] and gone["remarks"][0]["text"] == privacy.REMOVED  # the record stays
    assert treatment.read(tracking_db, ADMIN, recent)["citizen"]["email"] == email
    assert treatment.read(tracking_db, ADMIN, still_open)["citizen"]["email"] == email
    with pytest.raises(NotFound):  # the citizen can no longer open it with the old pair
        domain.track(tracking_db, old, email)
    events = published(1)
    assert events[0]["subject"] == old and events[0]["data"]["reason"] == "retention"
    assert email not in repr(events[0])


def test_an_administrator_exports_then_erases_a_citizens_data(tracking_db, listener):
    published = listener("complaint.anonymised")
    email = f"omar.{uuid.uuid4().hex[:6]}@example.ma"
    first, second = citizen_complaint(tracking_db, email), citizen_complaint(tracking_db, email.upper())
    agent = {"sub": "karim", "role": "agent", "districts": ["anfa"]}
    with pytest.raises(Forbidden):
        privacy.export(tracking_db, agent, email)

    exported = privacy.export(tracking_db, ADMIN, email)
    assert [c["number"] for c in exported["complaints"]] == [first, second]
    assert exported["complaints"][0]["citizen"]["phone"] == "+212611111111"
    logged = tracking_db[store.EXPORTS].find_one({"by": "root", "kind": "citizen", "complaints": first})
    assert logged is not None and email not in repr(logged)
    audit = store.find_by_number(tracking_db, first, with_audit=True)["audit"]
    assert audit[-1]["action"] == "citizen_export" and audit[-1]["actor"] == "root"

    erased = privacy.erase(tracking_db, ADMIN, email)
    assert erased == {"anonymised": [first, second], "unfollowed": [], "alerts_removed": 0}
    for number in (first, second):
        assert treatment.read(tracking_db, ADMIN, number)["citizen"]["email"] is None
    assert {e["data"]["reason"] for e in published(2)} == {"request"}
    with pytest.raises(NotFound):  # nothing left to find
        privacy.export(tracking_db, ADMIN, email)


def test_intake_and_notification_erase_their_copies(db):
    from common.envelope import new_event
    from services.intake import store as intake_store
    from services.intake.handlers import on_anonymised
    from services.notification import handlers as notification
    from services.notification import store as notification_store

    number = f"RC-2026-{uuid.uuid4().hex[:7].upper()}"
    db[intake_store.COMPLAINTS].insert_one(
        {
            "_id": number,
            "citizen": {"name": "Nadia", "email": "n@example.ma", "phone": "+212600000000", "language": "fr"},
            "address": "12 rue X",
            "location": {"lat": 1, "lon": 2},
            "subject": "Trou",
        }
    )
    notification_store.remember_complaint(
        db, number, {"email": "n@example.ma", "name": "Nadia", "district": "anfa"}
    )
    event = new_event(
        "complaint.anonymised",
        source="tracking",
        subject=number,
        data={
            "number": number,
            "district": "anfa",
            "category": "roads",
            "department": "roads",
            "at": "2028-01-01T00:00:00.000Z",
            "reason": "request",
        },
    )
    on_anonymised(event)
    notification.on_anonymised(db, event)
    kept = db[intake_store.COMPLAINTS].find_one({"_id": number})
    assert kept["citizen"]["email"] is None and kept["address"] is None and kept["subject"] == "Trou"
    contact = notification_store.find_complaint(db, number)
    assert contact.get("email") is None and contact.get("name") is None


def test_staff_reads_of_personal_data_are_recorded(tracking_db):
    email = f"lu.{uuid.uuid4().hex[:6]}@example.ma"
    number = citizen_complaint(tracking_db, email)
    agent = {"sub": f"reader{uuid.uuid4().hex[:4]}", "role": "agent", "districts": ["anfa"]}
    page = staff_queue.queue(tracking_db, agent, {"page": 1, "page_size": 100, "q": number})
    assert [c["number"] for c in page["items"]] == [number]
    read = tracking_db[store.READS].find_one({"by": agent["sub"]})
    assert read["what"] == "queue" and read["complaints"] == [number]
    treatment.read(tracking_db, agent, number)
    audit = store.find_by_number(tracking_db, number, with_audit=True)["audit"]
    assert [(e["actor"], e["action"]) for e in audit][-1] == (agent["sub"], "read")
