"""Listings are answered by the store's indexes, with exactly what the store's own filtering gives.

The embedded FerretDB answers conditions, sorts, skips, limits and counts on indexed fields in SQL
(launcher/ferretdb/pushdown.go). Each query here is compared with the same query carrying an
`$expr` that nothing translates, which the store answers the way it always did: reading every
document and filtering, sorting, skipping and limiting them itself. On MongoDB both are MongoDB's.
"""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from bson import Int64, ObjectId
from pymongo import ASCENDING, DESCENDING

DISTRICTS = ["anfa", "maarif", "sidi-belyout", "Anfa", "é", "ز"]
STATUSES = ["received", "acknowledged", "in_progress", "answered", "closed"]
START = datetime(2026, 1, 1, tzinfo=UTC)
OIDS = [ObjectId() for _ in range(5)]
UNTRANSLATED = {"$expr": True}


def _document(rng: random.Random, i: int) -> dict:
    doc = {"_id": f"RC-{i:05d}", "status": rng.choice(STATUSES)}
    district = rng.random()
    if district < 0.8:
        doc["district"] = rng.choice(DISTRICTS)
    elif district < 0.9:
        doc["district"] = None  # null and missing are equal to a condition on null
    elif district < 0.95:
        doc["district"] = rng.choice([7, 7.0, True])  # another type: never equal to a string
    doc["at"] = START + timedelta(minutes=rng.randrange(0, 60 * 24 * 400))
    doc["n"] = rng.choice([rng.randrange(-5, 50), rng.randrange(-5, 50) + 0.5, 2**40])
    if rng.random() < 0.9:
        doc["flag"] = rng.random() < 0.5
    doc["oid"] = rng.choice(OIDS)
    doc["note"] = rng.choice(["a", "b"])  # not indexed: never answered by SQL
    return doc


def _condition(rng: random.Random, depth: int = 0) -> dict:
    now = START + timedelta(days=rng.randrange(0, 400))
    choices = [
        lambda: {"district": rng.choice([*DISTRICTS, None, 7])},
        lambda: {"district": {"$in": rng.sample(DISTRICTS, 2) + rng.choice([[], [None]])}},
        lambda: {"district": {"$nin": rng.sample(DISTRICTS, 2)}},
        lambda: {"district": {"$ne": rng.choice([*DISTRICTS, None])}},
        lambda: {"district": {"$gte": "a", "$lt": "s"}},
        lambda: {"status": rng.choice(STATUSES)},
        lambda: {"status": {"$in": rng.sample(STATUSES, 2)}},
        lambda: {"at": {rng.choice(["$lt", "$lte", "$gt", "$gte"]): now}},
        lambda: {"at": {"$gte": now, "$lte": now + timedelta(days=90)}},
        lambda: {"n": {rng.choice(["$lt", "$gte"]): rng.choice([10, 10.5, 2**40])}},
        lambda: {"n": rng.choice([3, 3.0, 3.5])},
        lambda: {"flag": rng.choice([True, False, None])},
        lambda: {"oid": rng.choice(OIDS)},
        lambda: {"_id": {"$gte": f"RC-{rng.randrange(0, 400):05d}"}},
        lambda: {"_id": f"RC-{rng.randrange(0, 400):05d}"},
        lambda: {"_id": {"$in": [f"RC-{rng.randrange(0, 400):05d}" for _ in range(rng.randrange(1, 30))]}},
        lambda: {"oid": {"$in": rng.sample(OIDS, 2)}},
        lambda: {"note": "a"},
        lambda: {"district": {"$exists": rng.random() < 0.5}},
        lambda: {"district": {"$regex": "^a", "$options": "i"}},
    ]
    if depth < 2:
        choices += [
            lambda: {"$or": [_condition(rng, depth + 1), _condition(rng, depth + 1)]},
            lambda: {"$and": [_condition(rng, depth + 1), _condition(rng, depth + 1)]},
            lambda: {"$nor": [_condition(rng, depth + 1)]},
        ]
    return rng.choice(choices)()


def _filter(rng: random.Random) -> dict:
    merged: dict = {}
    for _ in range(rng.randrange(0, 3)):
        condition = _condition(rng)
        if set(condition) & set(merged):
            merged = {"$and": [merged, condition]}
        else:
            merged.update(condition)
    return merged


SORTS = [
    [("at", DESCENDING), ("_id", ASCENDING)],
    [("district", ASCENDING), ("_id", ASCENDING)],
    [("n", DESCENDING), ("_id", DESCENDING)],
    [("flag", ASCENDING), ("at", ASCENDING), ("_id", ASCENDING)],
    [("note", ASCENDING), ("_id", ASCENDING)],  # a field no index has: sorted by the store's handler
]


@pytest.fixture
def things(db):
    collection = db[f"pushdown_{uuid.uuid4().hex[:8]}"]
    collection.create_index([("district", ASCENDING), ("status", ASCENDING), ("at", DESCENDING)])
    collection.create_index([("at", DESCENDING), ("_id", ASCENDING)])
    collection.create_index([("n", ASCENDING)])
    collection.create_index([("flag", ASCENDING), ("oid", ASCENDING)])
    rng = random.Random(18)
    collection.insert_many([_document(rng, i) for i in range(400)])
    yield collection
    collection.drop()


def _compare(things, rng: random.Random, queries: int) -> None:
    for _ in range(queries):
        found = _filter(rng)
        sort = rng.choice(SORTS)
        skip, limit = rng.choice([0, 0, 5, 37]), rng.choice([0, 1, 20, 50])
        reference = {"$and": [found, UNTRANSLATED]} if found else UNTRANSLATED
        expected = list(things.find(reference).sort(sort).skip(skip).limit(limit))
        got = list(things.find(found).sort(sort).skip(skip).limit(limit))
        assert [d["_id"] for d in got] == [d["_id"] for d in expected], (found, sort, skip, limit)
        assert got == expected
        everything = list(things.find(reference))
        assert things.database.command("count", things.name, query=found)["n"] == len(everything), found
        assert things.count_documents(found) == len(everything), found


def test_queries_answered_by_indexes_give_what_the_store_gives_without_them(things):
    _compare(things, random.Random(1), 300)


def test_a_field_that_comes_to_hold_an_array_is_matched_as_mongodb_matches_arrays(things):
    """`{district: "anfa"}` matches ["anfa", "maarif"]: such a field stops being answered in SQL."""
    things.insert_one(
        {"_id": "RC-ARRAY", "district": ["anfa", "maarif"], "status": "closed", "at": START, "n": 1}
    )
    things.insert_one({"_id": "RC-OBJECT", "n": {"lt": 3}, "status": "closed", "at": START})
    assert {d["_id"] for d in things.find({"district": "anfa"})} >= {"RC-ARRAY"}
    assert "RC-ARRAY" in [d["_id"] for d in things.find({"district": "maarif"}).sort("at", 1).limit(400)]
    _compare(things, random.Random(2), 150)


def test_an_array_written_by_an_update_is_matched_too(things):
    things.update_one({"_id": "RC-00001"}, {"$set": {"status": ["closed", "reopened"]}})
    assert [d["_id"] for d in things.find({"status": "reopened"}).sort("at", -1).limit(5)] == ["RC-00001"]
    _compare(things, random.Random(3), 100)


@pytest.mark.parametrize(
    ("found", "sort"),
    [
        ({"district": "anfa", "status": "closed"}, [("at", DESCENDING)]),
        ({}, [("at", DESCENDING), ("_id", ASCENDING)]),
        (
            {"at": {"$gte": START, "$lte": START + timedelta(days=90)}},
            [("at", DESCENDING), ("_id", ASCENDING)],
        ),
    ],
    ids=["a district and status", "everything", "a period"],
)
def test_a_page_of_a_listing_reads_its_index_not_the_collection(things, found, sort):
    _assert_index_plan(things.database, things.name, found, sort)


@pytest.mark.parametrize(
    ("districts", "query"),
    [
        (["*"], {}),
        (["anfa"], {}),
        (["anfa", "maarif"], {}),
        (["anfa"], {"status": "in_progress"}),
        (["anfa", "maarif"], {"overdue": True}),
    ],
    ids=["an administrator", "a member of a district", "of two districts", "with a status", "overdue"],
)
def test_the_queue_assigned_to_me_reads_an_index_not_the_collection(db, districts, query):
    """Each part of "assigned to me" is read from an index.

    In order, but for the overdue ones: each deadline's index gives its late complaints, a few,
    which the store sorts, as it does for the overdue queue of a district.
    """
    from common.envelope import utcnow
    from services.tracking import queue as staff_queue
    from services.tracking import store

    store.ensure_indexes(db)
    claims = {"sub": "salma.agent", "role": "agent", "districts": districts}
    for part in staff_queue.filter_parts(claims, {"assigned": "me", **query}, utcnow())[2]:
        plan = _assert_index_plan(
            db, store.COMPLAINTS, part, store.NEWEST_FIRST, in_order="overdue" not in query
        )
        if "overdue" not in query:  # the member's few complaints, not all of their district's
            assert "agent_1" in plan, plan


def _assert_index_plan(db, collection: str, found: dict, sort: list, *, in_order: bool = True) -> str:
    """Return the store's plan for a page of the filter; fail unless it reads an index (in order)."""
    plan = repr(
        db.command(
            "explain",
            {"find": collection, "filter": found, "sort": dict(sort), "skip": Int64(40), "limit": Int64(20)},
        )
    )
    # FerretDB's SQLite plan names the index it searches or walks in order, and sorts nothing itself;
    # MongoDB's shows an index scan.
    assert "USING INDEX" in plan or "IXSCAN" in plan, plan
    assert not re.search(r"detail=SCAN [^ ']+'", plan) and "COLLSCAN" not in plan, plan  # no table scan
    if in_order:
        assert "USE TEMP B-TREE" not in plan and "'SORT'" not in plan, plan
    return plan
