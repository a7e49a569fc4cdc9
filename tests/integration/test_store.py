"""The store operations the services rely on keep their types on the real server."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError


def test_pushed_subdocuments_and_set_datetimes_keep_their_types(db):
    coll = db["t_types"]
    at = datetime(2026, 5, 1, 12, 30, 15, 123000, tzinfo=UTC)
    coll.insert_one({"_id": "RC-1", "timeline": [], "created": at})
    coll.update_one(
        {"_id": "RC-1"},
        {
            "$push": {"timeline": {"at": at, "status": "received"}},
            "$set": {"updated_at": at, "nested.map": {"a": 1}},
        },
    )
    doc = coll.find_one({"_id": "RC-1"})
    assert doc["timeline"] == [{"at": at, "status": "received"}]
    assert isinstance(doc["timeline"][0], dict)
    assert doc["updated_at"] == at and doc["created"] == at
    assert doc["nested"] == {"map": {"a": 1}}


def test_outbox_map_entries_are_removed_one_by_one(db):
    coll = db["t_outbox"]
    coll.insert_one({"_id": "x", "outbox": {"e1": {"type": "a"}, "e2": {"type": "b"}}})
    coll.update_one({"_id": "x"}, {"$unset": {"outbox.e1": ""}})
    assert coll.find_one({"_id": "x"})["outbox"] == {"e2": {"type": "b"}}
    coll.update_one({"_id": "x"}, {"$set": {"outbox.e3": {"type": "c"}}})
    coll.update_one({"_id": "x"}, {"$unset": {"outbox.e2": ""}})
    assert coll.find_one({"_id": "x"})["outbox"] == {"e3": {"type": "c"}}


def test_duplicate_ids_are_refused(db):
    coll = db["t_unique"]
    coll.insert_one({"_id": "event-1"})
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({"_id": "event-1"})


def test_upserts_with_set_on_insert_do_not_overwrite(db):
    coll = db["t_upsert"]
    ops = [UpdateOne({"_id": "anfa"}, {"$setOnInsert": {"active": True}}, upsert=True)]
    coll.bulk_write(ops)
    coll.update_one({"_id": "anfa"}, {"$set": {"active": False}})
    coll.bulk_write(ops)
    assert coll.find_one({"_id": "anfa"})["active"] is False


def test_group_by_month_with_sum(db):
    coll = db["t_group"]
    coll.insert_many([{"month": "2026-01"}, {"month": "2026-01"}, {"month": "2026-02"}])
    rows = list(coll.aggregate([{"$group": {"_id": "$month", "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}]))
    assert rows == [{"_id": "2026-01", "n": 2}, {"_id": "2026-02", "n": 1}]


@pytest.mark.parametrize(
    "condition",
    [{}, {"n": 420}, {"$or": [{"n": 420}, {"n": -1}]}],
    ids=["_id alone", "and a field", "and an $or"],
)
def test_lookups_by_id_use_the_primary_key_index(db, condition):
    """Also with conditions beside the _id: updates that compare and set go by the index too."""
    things = db[f"lookup_{uuid.uuid4().hex[:8]}"]
    things.insert_many([{"_id": f"RC-{i:05d}", "n": i} for i in range(500)])
    found = {"_id": "RC-00420", **condition}
    plan = repr(db.command("explain", {"find": things.name, "filter": found}))
    # FerretDB's SQLite plan names the index it searches; MongoDB's uses its _id fast path or an index scan.
    assert any(word in plan for word in ("USING INDEX", "IDHACK", "IXSCAN", "EXPRESS")), plan
    assert "detail=SCAN" not in plan and "COLLSCAN" not in plan, plan
    assert things.find_one(found)["n"] == 420
    assert things.update_one({**found, "n": 7}, {"$set": {"n": 0}}).modified_count == 0  # the condition holds
    assert things.update_one(found, {"$inc": {"n": 1}}).modified_count == 1
    assert things.find_one({"_id": "RC-00420"})["n"] == 421


def test_writes_wait_for_a_majority_and_are_retried_unless_the_url_says_otherwise(db):
    from common import config, mongo

    client = mongo.client()
    assert client.write_concern.document == {"w": "majority"} and client.options.retry_writes
    db["majority_writes"].insert_one({"_id": 1})  # the store takes it (a single server: w 1)
    assert db["majority_writes"].find_one({"_id": 1}) == {"_id": 1}
    given = mongo.client_options(f"{config.settings().mongo_url.rstrip('/')}/?w=1&retryWrites=false")
    assert "w" not in given and "retryWrites" not in given
