"""Tracking's rules against the real store: blobs, concurrent changes, the periodic jobs."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest

from common import blobs
from common.envelope import utcnow
from common.errors import Conflict
from services.tracking import domain, handlers, jobs, store, treatment
from services.tracking import queue as staff_queue
from tests.integration.complaints import submission
from tests.support import wait_for


@pytest.fixture
def tracking_db(db):
    store.ensure_indexes(db)
    return db


def complaint(db, *, days_ago: float = 0, ack_days: int = 15, answer_days: int = 60, **fields) -> str:
    data = submission(days_ago=days_ago, ack_days=ack_days, answer_days=answer_days)
    number = data["number"]
    handlers.record_submitted(db, data)
    if fields:
        db[store.COMPLAINTS].update_one({"_id": number}, {"$set": fields})
    return number


def test_blobs_round_trip_in_chunks_and_are_stored_once(db):
    data = os.urandom(int(blobs.CHUNK_BYTES * 2.5))
    first = blobs.put(db, data, "application/pdf")
    assert blobs.put(db, data, "application/pdf") == first
    assert blobs.head(db, first)["chunks"] == 3
    assert b"".join(blobs.read(db, first)) == data


def test_recording_a_submission_twice_keeps_one_complaint(tracking_db):
    number = complaint(tracking_db)
    again = store.find_by_number(tracking_db, number)
    data = {**again, "number": number, "submitted_at": again["submitted_at"]}
    assert handlers.record_submitted(tracking_db, data) is False
    assert tracking_db[store.COMPLAINTS].count_documents({"_id": number}) == 1


def test_concurrent_changes_are_all_kept(tracking_db):
    number = complaint(tracking_db)
    barrier = threading.Barrier(8)

    def remark(i):
        barrier.wait()
        domain.add_remark(tracking_db, number, f"remark {i}")

    threads = [threading.Thread(target=remark, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    remarks = store.find_by_number(tracking_db, number)["remarks"]
    assert sorted(r["text"] for r in remarks) == sorted(f"remark {i}" for i in range(8))


def test_a_change_that_is_refused_changes_nothing(tracking_db):
    number = complaint(tracking_db)
    before = store.find_by_number(tracking_db, number)
    with pytest.raises(Conflict):
        domain.reopen(tracking_db, number, "why")
    assert store.find_by_number(tracking_db, number) == before


def test_overdue_deadlines_are_flagged_once_each(tracking_db, listener):
    overdue_events = listener("complaint.overdue")
    late_ack = complaint(tracking_db, days_ago=20)
    late_answer = complaint(tracking_db, days_ago=61, status="in_progress")
    on_time = complaint(tracking_db, days_ago=1)
    jobs.flag_overdue(tracking_db)
    jobs.flag_overdue(tracking_db)
    notified = {
        n: store.find_by_number(tracking_db, n)["overdue_notified"] for n in (late_ack, late_answer, on_time)
    }
    assert [k.split(":")[0] for k in notified[late_ack]] == ["acknowledgement"]
    assert [k.split(":")[0] for k in notified[late_answer]] == ["answer"]
    assert notified[on_time] == []
    # Other tests' complaints in the shared store may be flagged by the same sweep: only ours count
    mine, published = {late_ack, late_answer, on_time}, []

    def both_told() -> bool:
        published.extend(
            (e["subject"], e["data"]["deadline"]) for e in overdue_events(0) if e["subject"] in mine
        )
        return len(published) >= 2

    wait_for(both_told, 10, 0.1, "this test's overdue events")
    assert sorted(published) == sorted([(late_ack, "acknowledgement"), (late_answer, "answer")])


def test_answered_complaints_close_when_the_reopen_window_has_passed(tracking_db):
    old = complaint(tracking_db, status="resolved", answered_at=utcnow() - timedelta(days=31))
    recent = complaint(tracking_db, status="rejected", answered_at=utcnow() - timedelta(days=5))
    jobs.close_expired(tracking_db)
    closed = store.find_by_number(tracking_db, old)
    assert closed["status"] == "closed" and closed["timeline"][-1]["by"] == "system"
    assert store.find_by_number(tracking_db, recent)["status"] == "rejected"


def test_reopening_gives_a_new_answer_deadline(tracking_db):
    number = complaint(
        tracking_db,
        days_ago=40,
        answer_days=30,
        status="resolved",
        answered_at=utcnow() - timedelta(days=2),
        answer_seq=1,
    )
    view = domain.reopen(tracking_db, number, "Still broken")
    assert view["status"] == "reopened" and view["reopen_count"] == 1
    assert view["timeline"][-1] == {
        **view["timeline"][-1],
        "status": "reopened",
        "note": "Still broken",
        "by": "citizen",
    }
    after = store.find_by_number(tracking_db, number)
    assert after["answer_due"] > utcnow() + timedelta(days=29)


ADMIN = {"sub": "admin", "role": "admin", "districts": ["*"]}


def test_one_rating_per_answer_and_a_new_one_after_a_new_answer(tracking_db, listener):
    events = listener("complaint.feedback_given")
    number = complaint(tracking_db)
    with pytest.raises(Conflict, match="no answer"):
        domain.rate(tracking_db, number, {"satisfaction": 3, "outcome": "resolved"})
    treatment.transition(tracking_db, ADMIN, number, {"to": "in_progress"})
    treatment.transition(tracking_db, ADMIN, number, {"to": "resolved", "public_note": "Done"})
    first = domain.rate(tracking_db, number, {"satisfaction": 2, "outcome": "not_resolved", "comment": "Bof"})
    assert first == {**first, "answer": 1, "satisfaction": 2, "outcome": "not_resolved", "comment": "Bof"}
    with pytest.raises(Conflict, match="already been rated"):
        domain.rate(tracking_db, number, {"satisfaction": 5, "outcome": "resolved"})
    domain.reopen(tracking_db, number, "Still broken")
    with pytest.raises(Conflict, match="no answer"):
        domain.rate(tracking_db, number, {"satisfaction": 5, "outcome": "resolved"})
    treatment.transition(tracking_db, ADMIN, number, {"to": "resolved"})
    assert domain.view(tracking_db, number)["can_rate"] is True
    domain.rate(tracking_db, number, {"satisfaction": 4, "outcome": "partially_resolved"})
    view = domain.view(tracking_db, number)
    assert [(f["answer"], f["satisfaction"]) for f in view["feedback"]] == [(1, 2), (2, 4)]
    assert view["can_rate"] is False
    published = events(2)
    assert [e["data"]["answer"] for e in published] == [1, 2]
    assert published[0]["data"] == {
        **published[0]["data"],
        "number": number,
        "district": "anfa",
        "satisfaction": 2,
        "outcome": "not_resolved",
    }
    assert "citizen" not in published[0]["data"] and "email" not in repr(published[0]["data"])


def test_two_ratings_of_one_answer_at_once_keep_one(tracking_db):
    number = complaint(tracking_db, status="resolved", answered_at=utcnow(), answer_seq=1)
    results: list[str] = []

    def rate(satisfaction):
        try:
            domain.rate(tracking_db, number, {"satisfaction": satisfaction, "outcome": "resolved"})
            results.append("rated")
        except Conflict:
            results.append("refused")

    threads = [threading.Thread(target=rate, args=(s,)) for s in (1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["rated", "refused"]
    assert len(domain.view(tracking_db, number)["feedback"]) == 1


@pytest.fixture
def catalogue(tracking_db, monkeypatch):
    """Tracking reads the catalogue from intake over HTTP; here, from intake's store directly."""
    from services.intake import store as intake_store
    from services.tracking import accounts

    intake_store.ensure_indexes(tracking_db)
    monkeypatch.setattr(
        accounts,
        "catalogue_districts",
        lambda: {
            code: d["name"] for code, d in intake_store.active_catalog(tracking_db)["districts"].items()
        },
    )


def test_staff_place_an_open311_request_that_came_without_a_district(tracking_db, catalogue, listener):
    from common.errors import BadRequest, Forbidden, NotFound

    events = listener("complaint.placed")
    data = submission(district=None)
    handlers.record_submitted(tracking_db, data)
    number = data["number"]
    supervisor = {"sub": "salma", "role": "supervisor", "districts": ["anfa", "maarif"]}
    with pytest.raises(NotFound):  # nobody's district: the administrators'
        treatment.read(tracking_db, supervisor, number)
    unplaced = {"unplaced": True, "page": 1, "page_size": 100}
    assert number in [c["number"] for c in staff_queue.queue(tracking_db, ADMIN, unplaced)["items"]]
    assert staff_queue.queue(tracking_db, supervisor, unplaced)["items"] == []
    with pytest.raises(BadRequest):
        treatment.place(tracking_db, ADMIN, number, "atlantis")

    placed = treatment.place(tracking_db, ADMIN, number, "anfa")
    assert placed["district"] == "anfa"
    assert number not in [c["number"] for c in staff_queue.queue(tracking_db, ADMIN, unplaced)["items"]]
    assert treatment.read(tracking_db, supervisor, number)["district"] == "anfa"
    assignment = {"department": "roads", "agent": "karim", "at": utcnow(), "by": "salma"}
    tracking_db[store.COMPLAINTS].update_one({"_id": number}, {"$set": {"assignment": assignment}})
    with pytest.raises(Forbidden):  # not her district
        treatment.place(tracking_db, supervisor, number, "sbata")
    moved = treatment.place(tracking_db, supervisor, number, "maarif")
    assert moved["district"] == "maarif" and moved["assignment"]["agent"] is None
    treatment.place(tracking_db, supervisor, number, "maarif")  # already there: nothing happens
    audit = [e for e in treatment.audit_trail(tracking_db, ADMIN, number) if e["action"] == "district"]
    assert [(e["previous"], e["district"]) for e in audit] == [(None, "anfa"), ("anfa", "maarif")]

    published = events(2)
    assert [(e["data"]["previous_district"], e["data"]["district"]) for e in published] == [
        (None, "anfa"),
        ("anfa", "maarif"),
    ]
    assert published[1]["data"]["district_name"]["fr"] == "Maârif"

    tracking_db[store.COMPLAINTS].update_one({"_id": number}, {"$set": {"status": "closed"}})
    with pytest.raises(Conflict):
        treatment.place(tracking_db, ADMIN, number, "anfa")


def test_the_jobs_read_the_open_complaints_not_the_history(tracking_db):
    late = complaint(tracking_db, days_ago=20)
    answered = complaint(tracking_db, status="resolved", answered_at=utcnow() - timedelta(days=31))
    # A complaint recorded before the open ones were noted: the first start notes it.
    tracking_db[store.OPEN].delete_many({"_id": {"$in": [late, store.OPEN_COMPLETE]}})
    store.complete_open(tracking_db)
    open_numbers = {c["_id"] for c in store.open_complaints(tracking_db)}
    assert {late, answered} <= open_numbers
    jobs.close_expired(tracking_db)
    assert store.find_by_number(tracking_db, answered)["status"] == "closed"
    assert tracking_db[store.OPEN].find_one({"_id": answered}) is None  # closed: no longer read
    jobs.flag_overdue(tracking_db)
    assert store.find_by_number(tracking_db, late)["overdue_notified"]
    assert tracking_db[store.OPEN].find_one({"_id": late}) is not None
