"""The staff queue's search: every word, folded, within the member's districts and filters, by index."""

from __future__ import annotations

import uuid

import pytest

from services.tracking import handlers, privacy, search, store
from services.tracking import queue as staff_queue
from tests.integration.complaints import submission

ADMIN = {"sub": "admin", "role": "admin", "districts": ["*"]}


@pytest.fixture
def tracking_db(db):
    store.ensure_indexes(db)
    return db


def _file(db, *, days_ago: float, **changes) -> str:
    data = submission(days_ago=days_ago, **changes)
    handlers.record_submitted(db, data)
    return data["number"]


def _queue(db, claims=ADMIN, **query) -> dict:
    return staff_queue.queue(db, claims, {"page": 1, "page_size": 20, **query})


def _numbers(page: dict) -> list[str]:
    return [item["number"] for item in page["items"]]


def test_words_are_folded_as_citizens_and_staff_type_them():
    assert search.words("École  MAARIF, n°12") == ["ecole", "maarif", "n", "12"]
    assert search.words("مَدْرَسَة الإمام") == search.words("مدرسه الامام")
    assert search.words(".*\\") == [] and search.words(None) == []


def test_a_search_finds_every_word_newest_first_within_districts_and_filters(tracking_db, monkeypatch):
    monkeypatch.setattr(search, "BATCH", 2)  # several batches of the rarest word's index
    tag = uuid.uuid4().hex[:8]
    old = _file(tracking_db, days_ago=3, subject=f"Lampadaire {tag} éteint", address="Rue de l'École")
    new = _file(tracking_db, days_ago=1, subject=f"Lampadaire {tag} cassé", address="Bd Zerktouni")
    elsewhere = _file(tracking_db, days_ago=2, subject=f"lampadaire {tag}", district="sbata")
    other = _file(tracking_db, days_ago=0, subject="Lampadaire éteint")

    assert _numbers(_queue(tracking_db, q=tag)) == [new, elsewhere, old]
    assert _queue(tracking_db, q=tag)["total"] == 3 and not _queue(tracking_db, q=tag)["total_capped"]
    assert _numbers(_queue(tracking_db, q=f"ECOLE {tag}")) == [old]  # every word, accents folded
    assert _numbers(_queue(tracking_db, q=f"{tag} eteint")) == [old]
    assert _numbers(_queue(tracking_db, q="lampadaire eteint " + tag)) == [old]
    assert other in _numbers(_queue(tracking_db, q="lampadaire eteint"))
    assert _queue(tracking_db, q=f"{tag} introuvable")["total"] == 0
    assert _numbers(_queue(tracking_db, q=new)) == [new]  # a number is found whole
    arabic = _file(tracking_db, days_ago=0, subject=f"إنارة مَدْرَسَة {tag}ar", address="شارع الزرقطوني")
    assert _numbers(_queue(tracking_db, q=f"انارة مدرسه {tag}ar")) == [arabic]
    assert _numbers(_queue(tracking_db, q=f"الزرقطوني {tag}AR")) == [arabic]
    agent = {"sub": "a", "role": "agent", "districts": ["anfa"]}
    assert _numbers(_queue(tracking_db, agent, q=tag)) == [new, old]
    assert _numbers(_queue(tracking_db, q=tag, district="sbata")) == [elsewhere]
    assert _numbers(_queue(tracking_db, q=tag, status="received")) == [new, elsewhere, old]
    assert _queue(tracking_db, q=tag, status="closed")["total"] == 0
    second = staff_queue.queue(tracking_db, ADMIN, {"page": 2, "page_size": 2, "q": tag})
    assert _numbers(second) == [old] and second["total"] == 3
    second = staff_queue.queue(tracking_db, ADMIN, {"page": 2, "page_size": 1, "q": f"{tag} lampadaire"})
    assert _numbers(second) == [elsewhere] and second["total"] == 3
    header, lines = staff_queue.export(tracking_db, ADMIN, {"q": tag, "status": None})
    assert [line[0] for line in lines] == [new, elsewhere, old]


def test_words_follow_the_complaint_when_it_is_placed_or_anonymised(tracking_db):
    tag = uuid.uuid4().hex[:8]
    number = _file(tracking_db, days_ago=0, subject=f"Trou {tag}", address=f"Impasse {tag}x")
    assert _numbers(_queue(tracking_db, q=f"{tag}x")) == [number]
    store.update(tracking_db, number, {"$set": {"district": "sbata"}})
    assert _numbers(_queue(tracking_db, q=tag, district="sbata")) == [number]
    assert _queue(tracking_db, q=tag, district="anfa")["total"] == 0
    privacy.anonymise(tracking_db, number, reason="request")
    assert _queue(tracking_db, q=f"{tag}x")["total"] == 0  # the address is gone, and its words
    assert _numbers(_queue(tracking_db, q=tag)) == [number]


def test_complaints_recorded_before_the_search_are_indexed_once(tracking_db):
    tag = uuid.uuid4().hex[:8]
    data = submission(subject=f"Avant {tag}")
    tracking_db[store.COMPLAINTS].insert_one(handlers.submitted_document(data, None))
    assert _queue(tracking_db, q=tag)["total"] == 0
    tracking_db[search.SEARCH].delete_one({"_id": search.COMPLETE})
    store.complete_search(tracking_db)
    assert _numbers(_queue(tracking_db, q=tag)) == [data["number"]]
    assert tracking_db[search.SEARCH].find_one({"_id": search.COMPLETE}) is not None


@pytest.fixture
def only_these(tracking_db):
    """Counts are this test's complaints only; the late ones are gone after it (the overdue job's)."""
    tracking_db[store.COMPLAINTS].delete_many({})
    yield tracking_db
    tracking_db[store.COMPLAINTS].delete_many({})
    tracking_db[store.OPEN].delete_many({"_id": {"$ne": store.OPEN_COMPLETE}})


def test_the_overdue_queue_merges_both_deadlines_newest_first_within_districts(only_these):
    tracking_db = only_these
    late_ack = _file(tracking_db, days_ago=20, ack_days=5)  # received, its acknowledgement late
    late_answer = _file(tracking_db, days_ago=30, ack_days=1, answer_days=10)
    store.update(tracking_db, late_answer, {"$set": {"status": "in_progress"}})
    late_elsewhere = _file(tracking_db, days_ago=25, ack_days=1, district="sbata")
    on_time = _file(tracking_db, days_ago=1)
    closed_late = _file(tracking_db, days_ago=40, ack_days=1, answer_days=2)
    store.update(tracking_db, closed_late, {"$set": {"status": "closed"}})

    late = _queue(tracking_db, overdue=True)
    assert _numbers(late) == [late_ack, late_elsewhere, late_answer] and late["total"] == 3
    agent = {"sub": "a", "role": "agent", "districts": ["anfa"]}
    assert _numbers(_queue(tracking_db, agent, overdue=True)) == [late_ack, late_answer]
    assert _numbers(_queue(tracking_db, overdue=True, district="sbata")) == [late_elsewhere]
    assert _numbers(_queue(tracking_db, overdue=True, status="in_progress")) == [late_answer]
    second = staff_queue.queue(tracking_db, ADMIN, {"page": 2, "page_size": 2, "overdue": True})
    assert _numbers(second) == [late_answer] and second["total"] == 3
    assert set(_numbers(_queue(tracking_db, overdue=False))) == {on_time, closed_late}


def test_a_search_counts_and_pages_up_to_its_limit(tracking_db, monkeypatch):
    monkeypatch.setattr(search, "COUNTED", 2)
    tag = uuid.uuid4().hex[:8]
    newest = [_file(tracking_db, days_ago=days, subject=f"Compte {tag}") for days in (1, 2, 3)][:2]
    for query in ({"q": tag}, {"q": f"compte {tag}"}, {"q": tag, "status": "received"}):
        page = _queue(tracking_db, **query)
        assert _numbers(page) == newest and page["total"] == 2 and page["total_capped"], query
        assert staff_queue.queue(tracking_db, ADMIN, {"page": 2, "page_size": 2, **query})["items"] == []
    assert not _queue(tracking_db, q=f"{tag} {newest[0]}")["total_capped"]
    store.update(tracking_db, newest[1], {"$set": {"status": "in_progress"}})
    for page in (1, 3):
        late = staff_queue.queue(
            tracking_db, ADMIN, {"page": page, "page_size": 1, "q": tag, "status": "in_progress"}
        )
        assert late["total"] == 1 and not late["total_capped"]
    assert not _queue(tracking_db)["total_capped"]


def test_a_member_of_several_districts_pages_through_them_all_newest_first(only_these):
    tracking_db = only_these
    filed = [
        _file(tracking_db, days_ago=days, district=district, ack_days=ack)
        for days, district, ack in (
            (1, "anfa", 15),
            (2, "sbata", 1),
            (3, "maarif", 15),
            (4, "anfa", 1),
            (5, "sbata", 15),
        )
    ]
    member = {"sub": "s", "role": "supervisor", "districts": ["sbata", "anfa", "anfa"]}
    theirs = [filed[0], filed[1], filed[3], filed[4]]
    assert _numbers(_queue(tracking_db, member)) == theirs and _queue(tracking_db, member)["total"] == 4
    pages = [staff_queue.queue(tracking_db, member, {"page": p, "page_size": 3}) for p in (1, 2, 3)]
    assert [_numbers(p) for p in pages] == [theirs[:3], theirs[3:], []]
    assert {p["total"] for p in pages} == {4}
    assert _numbers(_queue(tracking_db, member, overdue=True)) == [filed[1], filed[3]]
    on_time = _queue(tracking_db, member, overdue=False)
    assert _numbers(on_time) == [filed[0], filed[4]] and on_time["total"] == 2
    assert _numbers(_queue(tracking_db, member, status="received", district="anfa")) == [filed[0], filed[3]]
    header, lines = staff_queue.export(tracking_db, member, {"overdue": None})
    assert [line[0] for line in lines] == theirs
    header, lines = staff_queue.export(tracking_db, member, {"overdue": True})
    assert [line[0] for line in lines] == [filed[1], filed[3]]
