"""Transactional outbox: events travel inside the document whose change caused them.

A write stores the new state and its events in one document operation
(``outbox.<event id>`` plus ``outbox_pending``). The writer then tries to
publish at once; whatever it could not publish (broker down, process killed)
is published by the relay's sweep. An event leaves the outbox only after the
broker confirmed it, so an accepted request's events are never lost.
"""

from __future__ import annotations

import logging
import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from pymongo.database import Database
from pymongo.errors import PyMongoError

from common import config, envelope, locks, metrics, mongo
from common.broker import BrokerUnavailable, Publisher, publisher

log = logging.getLogger(__name__)


def fields(events: list[dict]) -> dict:
    """Return the fields that put these events in a document's outbox (for insert or $set)."""
    result: dict = {f"outbox.{event['id']}": event for event in events}
    result["outbox_pending"] = True
    return result


def new_document_fields(events: list[dict]) -> dict:
    """Return the outbox fields of a document being inserted."""
    return {"outbox": {event["id"]: event for event in events}, "outbox_pending": True}


@dataclass(frozen=True)
class Outbox:
    """The documents of a collection that carry events; `locked` when their writers take the lock."""

    collection: str
    locked: bool = False

    def guard(self, db: Database, doc_id) -> AbstractContextManager:
        """Return the lock every writer of this document holds, when the collection needs one."""
        return locks.locked(db, f"{self.collection}:{doc_id}") if self.locked else nullcontext()


def publish_pending(
    db: Database, box: Outbox, doc_id, events: list[dict], via: Publisher | None = None
) -> int:
    """Publish these outbox events in order, removing each once confirmed; return how many."""
    sender = via or publisher()
    sent = 0
    for event in sorted(events, key=lambda e: e["time"]):
        sender.publish(event)
        metrics.EVENTS_PUBLISHED.labels(config.get("SERVICE_NAME", "unknown"), event["type"]).inc()
        # Unlocked documents may lose this removal to a concurrent one: the event is then published
        # again later, a duplicate that consumers tolerate, never a loss.
        with box.guard(db, doc_id):
            db[box.collection].update_one({"_id": doc_id}, {"$unset": {f"outbox.{event['id']}": ""}})
        sent += 1
    return sent


def publish_now(db: Database, box: Outbox, doc_id, events: list[dict]) -> bool:
    """Try to publish just-written events; leave them to the relay when the broker is down."""
    try:
        publish_pending(db, box, doc_id, events)
        return True
    except (BrokerUnavailable, PyMongoError) as exc:
        log.warning("events left in the outbox for the relay", extra={"error": str(exc)})
        return False


def sweep(db: Database, box: Outbox, via: Publisher, grace: float | None = None) -> int:
    """Publish every pending event older than the grace period; return how many went out."""
    grace = config.get_float("OUTBOX_GRACE_SECONDS", 2.0) if grace is None else grace
    horizon = envelope.utcnow() - timedelta(seconds=grace)
    sent = 0
    for doc in db[box.collection].find({"outbox_pending": True}, {"outbox": 1}):
        events = list((doc.get("outbox") or {}).values())
        # The writer publishes its own events right away; give it a moment before competing.
        ready = [e for e in events if datetime.fromisoformat(e["time"]) <= horizon]
        if ready:
            sent += publish_pending(db, box, doc["_id"], ready, via)
        if len(ready) == len(events):
            with box.guard(db, doc["_id"]):
                db[box.collection].update_one(
                    {"_id": doc["_id"], "outbox": {}}, {"$unset": {"outbox_pending": ""}}
                )
    return sent


class Relay(threading.Thread):
    """Sweep the outboxes of some collections until stopped."""

    def __init__(self, boxes: tuple[Outbox, ...], stop: threading.Event, interval: float | None = None):
        super().__init__(name="outbox-relay", daemon=True)
        self.boxes = boxes
        self.stop = stop
        self.interval = interval or config.get_float("OUTBOX_SWEEP_SECONDS", 1.0)

    def run(self) -> None:
        sender = Publisher()
        while not self.stop.is_set():
            try:
                for box in self.boxes:
                    sent = sweep(mongo.database(), box, sender)
                    if sent:
                        log.info("relay published events", extra={"count": sent})
            except (BrokerUnavailable, PyMongoError) as exc:
                log.warning("outbox relay waiting for its dependencies", extra={"error": str(exc)})
            except Exception:  # noqa: BLE001 - the relay must outlive one bad document
                log.exception("outbox relay sweep failed")
            self.stop.wait(self.interval)
        sender.close()
