"""How the quality figures behave on a large history: rebuild time, event cost, /stats latency.

    .venv/bin/python -m bench.stats_history [complaints]

Starts a private document store (or uses MONGO_URL), seeds `complaints`
complaints as tracking keeps them (24 months, 16 districts, 10 categories),
rebuilds feedback's read model from them, then measures the cost of one more
event and the latency of GET /api/v1/stats through the feedback app.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from common.vocabulary import Outcome

DISTRICTS = [f"district-{i:02d}" for i in range(16)]
CATEGORIES = [f"category-{i}" for i in range(10)]


def complaint(rng: random.Random, start: datetime) -> dict:
    submitted = start + timedelta(seconds=rng.randrange(730 * 86400))
    submitted = submitted.replace(microsecond=0)
    timeline = [{"at": submitted, "status": "received", "by": "citizen"}]
    status, feedback, reopen_count, answer_seq = "received", [], 0, 0
    if rng.random() < 0.9:
        at = submitted + timedelta(minutes=rng.randrange(15 * 1440))
        timeline.append({"at": at, "status": "acknowledged", "by": "staff"})
        status = "acknowledged"
        if rng.random() < 0.8:
            at += timedelta(minutes=rng.randrange(50 * 1440))
            status = rng.choice(["resolved", "resolved", "rejected"])
            timeline.append({"at": at, "status": status, "by": "staff"})
            answer_seq = 1
            if rng.random() < 0.5:
                feedback.append(
                    {
                        "answer": 1,
                        "at": at + timedelta(hours=5),
                        "satisfaction": rng.randint(1, 5),
                        "outcome": rng.choice(list(Outcome)),
                    }
                )
            if rng.random() < 0.1:
                reopen_count = 1
                timeline.append({"at": at + timedelta(days=1), "status": "reopened", "by": "citizen"})
                status = "reopened"
    return {
        "_id": f"RC-BENCH-{uuid.UUID(int=rng.getrandbits(128)).hex[:12].upper()}",
        "kind": "complaint",
        "district": rng.choice(DISTRICTS),
        "category": rng.choice(CATEGORIES),
        "status": status,
        "submitted_at": submitted,
        "ack_due": submitted + timedelta(days=15),
        "answer_due": submitted + timedelta(days=60),
        "first_answer_due": submitted + timedelta(days=60),
        "answer_days": 60,
        "timeline": timeline,
        "feedback": feedback,
        "reopen_count": reopen_count,
        "answer_seq": answer_seq,
    }


def timed(action, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main(count: int) -> None:
    from launcher.harness import Infrastructure

    infra = None
    if not os.environ.get("MONGO_URL"):
        infra = Infrastructure().start(broker=False)  # the figures need no broker
        os.environ["MONGO_URL"] = infra.mongo_url
    os.environ["MONGO_DB"] = f"bench_stats_{uuid.uuid4().hex[:8]}"
    from common import mongo
    from common.envelope import isoformat, new_event
    from services.feedback import rebuild, store
    from services.feedback.app import create_app
    from services.feedback.handlers import HANDLERS

    db = mongo.database()
    store.ensure_indexes(db)
    rng = random.Random(42)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    try:
        began = time.perf_counter()
        batch = []
        for _ in range(count):
            batch.append(complaint(rng, start))
            if len(batch) == 1000:
                db[rebuild.TRACKING_COMPLAINTS].insert_many(batch)
                batch = []
        if batch:
            db[rebuild.TRACKING_COMPLAINTS].insert_many(batch)
        seeded = time.perf_counter() - began
        result = rebuild.rebuild(db, grace=0)
        client = create_app({"TESTING": True}).test_client()
        unfiltered = timed(lambda: client.get("/api/v1/stats"), 20)
        district = timed(lambda: client.get("/api/v1/stats?district=district-03"), 20)
        cell = timed(
            lambda: client.get("/api/v1/stats?district=district-03&category=category-1&from=2025-06"), 20
        )
        at = datetime.now(UTC)
        fresh = [
            new_event(
                "complaint.submitted",
                source="bench",
                subject=number,
                data={
                    "number": number,
                    "kind": "complaint",
                    "district": rng.choice(DISTRICTS),
                    "category": rng.choice(CATEGORIES),
                    "submitted_at": isoformat(at),
                    "ack_due": isoformat(at),
                    "answer_due": isoformat(at),
                },
            )
            for number in (f"RC-BENCH-NEW{i:04d}" for i in range(50))
        ]
        pending = iter(fresh)
        event_ms = timed(lambda: HANDLERS["complaint.submitted"](next(pending)), len(fresh))
        again = iter(fresh)
        redelivered_ms = timed(lambda: HANDLERS["complaint.submitted"](next(again)), len(fresh))
        print(f"history: {count} complaints in {result['cells']} cells (seeded in {seeded:.1f} s)")
        print(f"rebuild: {result['seconds']} s")
        new, again = statistics.median(event_ms), statistics.median(redelivered_ms)
        print(f"a new complaint's event: p50 {new:.1f} ms; the same event again: p50 {again:.1f} ms")
        for name, samples in (("all", unfiltered), ("one district", district), ("one cell-row", cell)):
            p50, worst = statistics.median(samples), max(samples)
            print(f"GET /api/v1/stats ({name}): p50 {p50:.1f} ms, max {worst:.1f} ms")
    finally:
        mongo.client().drop_database(os.environ["MONGO_DB"])
        if infra:
            infra.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
