"""The store `make run` starts changes one document atomically: concurrent updates lose nothing.

Rate limits, the email cap, locks and leases count on it; FerretDB 1.24 as released does not
(launcher/infra.py patches it), and MongoDB does.
"""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pymongo
from pymongo import ReturnDocument

from common import mongo

CLIENTS, OPERATIONS = 8, 500


def _in_parallel(operation) -> None:
    """Run `operation(collection, i)` OPERATIONS times in each of CLIENTS threads, each its own client."""

    def one_client(index: int) -> None:
        with pymongo.MongoClient(os.environ["MONGO_URL"]) as client:
            collection = client[mongo.database().name]["atomicity"]
            for i in range(OPERATIONS):
                operation(collection, index * OPERATIONS + i)

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(one_client, range(CLIENTS)))


def test_concurrent_inc_push_and_find_one_and_update_lose_nothing(db):
    counter, listing, claimed = (f"{name}-{uuid.uuid4().hex}" for name in ("inc", "push", "fam"))
    db["atomicity"].insert_many([{"_id": counter, "n": 0}, {"_id": listing, "items": []}])

    def operation(collection, i: int) -> None:
        collection.update_one({"_id": counter}, {"$inc": {"n": 1}})
        collection.update_one({"_id": listing}, {"$push": {"items": {"i": i}}})
        mongo.upsert(
            lambda: collection.find_one_and_update(
                {"_id": claimed}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER
            )
        )

    _in_parallel(operation)

    total = CLIENTS * OPERATIONS
    assert db["atomicity"].find_one({"_id": counter})["n"] == total
    items = db["atomicity"].find_one({"_id": listing})["items"]
    assert sorted(item["i"] for item in items) == list(range(total))
    assert db["atomicity"].find_one({"_id": claimed})["n"] == total


def test_each_value_of_a_concurrent_counter_is_handed_out_once(db):
    """find_one_and_update returning the new value: every caller sees a value of its own."""
    counter = f"seq-{uuid.uuid4().hex}"
    seen: list[int] = []

    def operation(collection, _i: int) -> None:
        after = mongo.upsert(
            lambda: collection.find_one_and_update(
                {"_id": counter}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER
            )
        )
        seen.append(after["n"])

    _in_parallel(operation)
    assert sorted(seen) == list(range(1, CLIENTS * OPERATIONS + 1))
