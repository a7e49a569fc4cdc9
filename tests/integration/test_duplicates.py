"""Complaints already reported, against the real store: found from their indexes, counted once."""

from __future__ import annotations

import math
import random
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from bson import Int64

from common import geo
from common.envelope import isoformat, new_event
from common.vocabulary import OPEN_STATUSES, Status
from services.feedback import figures
from services.tracking import nearby
from services.tracking import store as tracking
from tests.integration.feedback_events import changed, deliver, empty_figures, submitted

CITY = (33.5731, -7.5898)
STATUSES = [*Status]
START = datetime(2026, 1, 1, tzinfo=UTC)
STREETS = ["Boulevard d'Anfa", "Rue Ibn Batouta", "Avenue Hassan II", "Rue des Oliviers", "Derb Omar"]


def near(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    """Return a point at most km from this one, spread evenly over the disc."""
    distance, bearing = km * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    return (
        lat + distance * math.cos(bearing) / geo.KM_PER_DEGREE,
        lon + distance * math.sin(bearing) / (geo.KM_PER_DEGREE * math.cos(math.radians(lat))),
    )


def complaint(rng: random.Random, i: int, category: str, *, spread_km: float) -> dict:
    lat, lon = near(rng, *CITY, spread_km)
    location = {"lat": lat, "lon": lon} if rng.random() < 0.8 else None
    address = f"{rng.randrange(1, 40)} {rng.choice(STREETS)}" if rng.random() < 0.7 else None
    return {
        "_id": f"RC-T-{uuid.uuid4().hex[:10]}-{i}",
        "category": category,
        "district": rng.choice(["anfa", "maarif", "sidi-belyout"]),
        "subject": f"Sujet {i}",
        "status": rng.choice(STATUSES),
        "publish": rng.random() < 0.5,
        "submitted_at": START + timedelta(minutes=rng.randrange(0, 60 * 24 * 300)),
        "location": location,
        "address": address,
        "citizen": {"name": "Nadia Bennani", "email": "nadia@example.ma"},
        **nearby.keys(location, address),
    }


def shown_at(c: dict) -> tuple[float, float]:
    """Return where the listing says a complaint is: its point, or its 0.001° square's centre unpublished."""
    lat, lon = c["location"]["lat"], c["location"]["lon"]
    if c["publish"]:
        return lat, lon
    return (math.floor(lat / 0.001) + 0.5) * 0.001, (math.floor(lon / 0.001) + 0.5) * 0.001


def brute_force(documents: list[dict], category: str, point, address, district) -> list[str]:
    """Return what the listing must give, by reading every complaint."""
    found = {}
    for c in documents:
        if c["category"] != category or c["status"] not in OPEN_STATUSES:
            continue
        if point and c["location"]:
            km = geo.distance_km(*point, *shown_at(c))
            metres = round(km * 1000) if c["publish"] else max(1, math.ceil(km * 1000 / 50)) * 50
            if km <= nearby.RADIUS_KM:
                found[c["_id"]] = (0, metres, -c["submitted_at"].timestamp())
        key = nearby.address_key(address)
        if key and district and c["address_key"] == key and c["district"] == district and c["publish"]:
            found.setdefault(c["_id"], (1, 0, -c["submitted_at"].timestamp()))
    return sorted(found, key=lambda n: found[n])[: nearby.LIMIT]


def test_the_listing_gives_what_reading_every_complaint_gives(db):
    tracking.ensure_indexes(db)
    rng, category = random.Random(5), f"test-{uuid.uuid4().hex[:8]}"
    documents = [complaint(rng, i, category, spread_km=0.6) for i in range(1500)]
    db[tracking.COMPLAINTS].insert_many(documents)
    try:
        several = 0
        for _ in range(60):
            point = near(rng, *CITY, 0.6) if rng.random() < 0.8 else None
            address = f"{rng.randrange(1, 40)} {rng.choice(STREETS)}".upper() if rng.random() < 0.5 else None
            district = rng.choice(["anfa", "maarif"])
            location = {"lat": point[0], "lon": point[1]} if point else None
            got = tracking.nearby_complaints(
                db, category=category, location=location, address=address, district=district
            )
            assert [c["number"] for c in got] == brute_force(documents, category, point, address, district)
            several += len(got) > 1
            by_number = {d["_id"]: d for d in documents}
            for item in got:
                kept = by_number[item["number"]]
                assert item["subject"] == (kept["subject"] if kept["publish"] else None)
                assert item["approximate"] is not kept["publish"]
                assert not item["same_address"] or kept["publish"]  # never confirmed unpublished
                assert set(item) == {
                    "number", "category", "district", "subject", "status", "submitted_at", "distance_m",
                    "approximate", "same_address",
                }  # fmt: skip
                assert "Nadia" not in repr(item) and "@" not in repr(item)  # never personal data
        assert several > 10  # the check was not vacuous
    finally:
        db[tracking.COMPLAINTS].delete_many({"category": category})


def _plan(collection, match: dict) -> str:
    return repr(
        collection.database.command("explain", {"find": collection.name, "filter": match, "limit": Int64(0)})
    )


def test_at_100000_complaints_the_listing_reads_its_indexes_not_the_collection(db):
    """The tracking collection's indexes, 100,000 complaints over the city: each listing's plan names
    an index and scans no table, and its answer takes milliseconds."""
    collection = db[f"nearby_{uuid.uuid4().hex[:8]}"]
    for keys in tracking.QUEUE_INDEXES:  # every index the planner may choose among
        collection.create_index(keys)
    rng = random.Random(100_000)
    categories = [f"c{i}" for i in range(10)]
    try:
        for start in range(0, 100_000, 5000):
            collection.insert_many(
                [complaint(rng, start + i, rng.choice(categories), spread_km=8) for i in range(5000)],
                ordered=False,
            )
        assert collection.estimated_document_count() == 100_000
        point = CITY
        by_point = {
            "cell": {"$in": geo.cells_around(*point, nearby.RADIUS_KM)},
            "category": "c3",
            "status": {"$in": list(OPEN_STATUSES)},
        }
        by_address = {
            "address_key": nearby.address_key("12 Rue des Oliviers"),
            "district": "anfa",
            "category": "c3",
            "status": {"$in": list(OPEN_STATUSES)},
        }
        for match in (by_point, by_address):
            plan = _plan(collection, match)
            # FerretDB's SQLite plan names the index it searches; MongoDB's shows an index scan.
            assert "USING INDEX" in plan or "IXSCAN" in plan, plan
            assert not re.search(r"detail=SCAN [^ ']+'", plan) and "COLLSCAN" not in plan, plan
            if "USING INDEX" in plan:
                assert re.search(r"USING INDEX [^ ']*(cell|address_key)", plan), plan  # its own index
                assert "'exact': True" in plan, plan  # answered in SQL alone, nothing filtered after
        times = []
        for _ in range(20):
            began = time.perf_counter()
            found = nearby.find(
                db,
                collection.name,
                category="c3",
                location={"lat": point[0], "lon": point[1]},
                address="12 Rue des Oliviers",
                district="anfa",
            )
            times.append(time.perf_counter() - began)
        assert found, "the listing found nothing: the proof would be vacuous"
        median = sorted(times)[len(times) // 2]
        assert median < 0.25, f"the listing took {median * 1000:.0f} ms at 100,000 complaints"
    finally:
        collection.drop()


def merged(number: str, into: str, at: datetime) -> dict:
    return new_event(
        "complaint.merged",
        source="tracking",
        subject=number,
        data={"number": number, "district": "anfa", "category": "roads", "into": into, "at": isoformat(at)},
    )


@pytest.mark.parametrize("merge_first", [False, True], ids=["merged after closing", "merged before"])
def test_a_duplicate_is_counted_once_in_the_figures(db, merge_first):
    empty_figures(db)
    t = datetime(2026, 3, 2, 8, tzinfo=UTC)
    kept, duplicate = f"K-{uuid.uuid4().hex[:6]}", f"D-{uuid.uuid4().hex[:6]}"
    deliver(
        [submitted(kept, "anfa", "roads", t), submitted(duplicate, "anfa", "roads", t + timedelta(hours=1))]
    )
    before = figures.figures(db, {"district": "anfa", "category": "roads"})
    assert before["received"] == 2
    closing = [changed(duplicate, "received", "closed", t + timedelta(hours=3)), merged(duplicate, kept, t)]
    deliver(closing[::-1] if merge_first else closing)
    deliver([changed(kept, "received", "acknowledged", t + timedelta(hours=4))])
    deliver(closing)  # delivered twice: nothing changes twice
    after = figures.figures(db, {"district": "anfa", "category": "roads"})
    assert after["received"] == 1 and after["acknowledged"] == 1
    assert after["time_to_acknowledge"]["mean_hours"] == 4.0  # the kept one's, not the duplicate's
    city = figures.figures(db, {})
    assert city["received"] == 1


ADMIN = {"sub": "root", "role": "admin", "districts": ["*"]}
SUPERVISOR_MAARIF = {"sub": "karim", "role": "supervisor", "districts": ["maarif"]}


def test_following_merging_and_anonymising_against_the_real_store(db, listener):
    from common import tokens
    from common.errors import Conflict, NotFound, Unauthorized
    from services.tracking import following, handlers, privacy, treatment
    from tests.integration.complaints import submission

    published = listener("complaint.followed", "complaint.unfollowed", "complaint.merged")
    tracking.ensure_indexes(db)
    kept_data = submission(citizen={"name": "Nadia", "email": "kept@example.ma", "language": "fr"})
    duplicate_data = submission(citizen={"name": "Omar", "email": "dup@example.ma", "language": "ar"})
    for data in (kept_data, duplicate_data):
        handlers.record_submitted(db, data)
    kept, duplicate = kept_data["number"], duplicate_data["number"]

    assert following.request(db, kept, "Follower@Example.ma", "en")["confirmation"] == "sent"
    following.request(db, kept, "follower@example.ma", "en")  # the same address: nothing twice
    following.request(db, kept, "KEPT@example.ma", "fr")  # its own citizen: told already
    key = following.follower_id("follower@example.ma")
    following.confirm(db, kept, tokens.issue_follow_confirmation(kept, key))
    assert treatment.read(db, ADMIN, kept)["followers"] == 1
    with pytest.raises(NotFound):
        following.request(db, "RC-2026-0000000", "x@example.ma", "fr")

    with pytest.raises(NotFound):  # a member outside the districts sees neither
        treatment.merge(db, SUPERVISOR_MAARIF, duplicate, {"into": kept})
    with pytest.raises(Exception, match="itself"):
        treatment.merge(db, ADMIN, kept, {"into": kept})
    closed = treatment.merge(db, ADMIN, duplicate, {"into": kept})
    assert closed["status"] == "closed" and closed["duplicate_of"] == kept
    assert kept in closed["timeline"][-1]["note"]  # the public note names it, in Arabic
    assert "سبق التبليغ" in closed["timeline"][-1]["note"]
    after = treatment.read(db, ADMIN, kept)
    assert after["duplicates"] == [duplicate] and after["followers"] == 2
    with pytest.raises(Conflict):  # closed now: merged once
        treatment.merge(db, ADMIN, duplicate, {"into": kept})

    events = published(3)
    assert [e["type"] for e in events].count("complaint.followed") == 2  # confirmed, then merged
    merged_in = next(e for e in events if e["data"].get("via") == "merge")
    assert merged_in["data"]["merged_from"] == duplicate and merged_in["data"]["follower"]["language"] == "ar"

    with pytest.raises(Unauthorized):
        following.unfollow(db, kept, "forged")
    with pytest.raises(NotFound):  # a token is for one complaint
        following.unfollow(db, duplicate, tokens.issue_unfollow(kept, key))
    assert (
        following.unfollow(db, kept, tokens.issue("unfollow", {"number": kept, "follower": key}))["following"]
        is False
    )
    following.unfollow(db, kept, tokens.issue_unfollow(kept, key))  # again: nothing
    assert treatment.read(db, ADMIN, kept)["followers"] == 1
    assert published(1)[0]["type"] == "complaint.unfollowed"

    # Its citizen's erasure keeps an open complaint's followers: the duplicate's citizen is still told.
    privacy.anonymise(db, kept, reason="request", by="root")
    record = db[tracking.COMPLAINTS].find_one({"_id": kept})
    assert "kept@example.ma" not in repr(record) and len(record["followers"]) == 1
    # A closed complaint's go with it.
    for status in ("in_progress", "resolved", "closed"):
        treatment.transition(db, ADMIN, kept, {"to": status})
    db[tracking.COMPLAINTS].update_one({"_id": kept}, {"$unset": {"anonymised_at": ""}})
    privacy.anonymise(db, kept, reason="retention")
    record = db[tracking.COMPLAINTS].find_one({"_id": kept})
    assert record["followers"] == {} and "dup@example.ma" not in repr(record)
