"""Recompute feedback's read model from the complaints themselves.

For when the figures are in doubt: after a restore from backup, a dead-lettered
event, or a change in how a figure is counted. It reads every complaint as
tracking keeps it, derives its facts as the events would have, and rewrites
every complaint's contribution and every cell. The worker defers events while
it runs and applies them afterwards, which changes nothing twice.

Run it with `make rebuild-stats` beside `make run`, or
`python -m services.feedback.rebuild` with the services' environment.
"""

from __future__ import annotations

import logging
import sys
import time

from pymongo.database import Database

from common import config, locks, logs, mongo
from services.feedback import rules, store

log = logging.getLogger(__name__)

TRACKING_COMPLAINTS = store.TRACKING_COMPLAINTS  # the bench seeds it
BATCH = 500
# Longer than any event handler takes: those that began before the rebuild have finished after it.
HANDLER_GRACE_SECONDS = 2.0


FACT_FIELDS = (
    "kind",
    "district",
    "category",
    "submitted_at",
    "month",
    "ack_due",
    "answer_due",
    "reopen_count",
    "ratings",
    "acknowledged_at",
    "answered_at",
    "placed_at",
    "merged_into",
)
# What rules.facts_of reads of tracking's complaints.
TRACKED_FIELDS = (*FACT_FIELDS, "timeline", "feedback", "answer_days", "first_answer_due", "duplicate_of")


def rebuild(db: Database, *, grace: float = HANDLER_GRACE_SECONDS) -> dict:
    """Rewrite the read model from tracking's complaints; return what was counted."""
    started = time.monotonic()
    with locks.locked(db, store.REBUILD_LOCK, wait=store.REBUILD_LEASE, lease=store.REBUILD_LEASE) as held:
        time.sleep(grace)
        facts: dict[str, dict] = {}
        for complaint in store.tracked_complaints(db, TRACKED_FIELDS):
            facts[complaint["_id"]] = rules.facts_of(complaint)
        # Complaints tracking has not recorded yet keep the facts their events gave.
        for record in store.records(db, FACT_FIELDS):
            facts.setdefault(record["_id"], {k: v for k, v in record.items() if k != "_id"})
        held.renew()
        cells: dict[str, dict] = {}
        for done, (number, known) in enumerate(facts.items(), start=1):
            counted = rules.contribution(known)
            for cell, counters in counted.items():
                totals = cells.setdefault(cell, {})
                for key, value in counters.items():
                    totals[key] = totals.get(key, 0) + value
            store.put(db, {"_id": number, **known, "counted": counted})
            if done % BATCH == 0:
                held.renew()
        store.replace_cells(db, [store.cell_document(cell, counters) for cell, counters in cells.items()])
    figures = {"complaints": len(facts), "cells": len(cells), "seconds": round(time.monotonic() - started, 1)}
    log.info("feedback read model rebuilt", extra=figures)
    return figures


def main() -> int:
    """Rebuild, and say what was counted."""
    config.load()
    logs.setup("feedback-rebuild")
    figures = rebuild(mongo.database())
    count = figures["complaints"]
    print(
        f"rebuilt the quality figures from {count} complaint{'' if count == 1 else 's'} "
        f"into {figures['cells']} cells in {figures['seconds']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
