"""Transactional outbox: events travel inside the document whose change caused them.

A write stores the new state and its events in one document operation (``outbox.<event id>``).
Just before it, the writer notes each event in the box's small collection of pending events
(``<collection>_outbox``: event id, document, time). The writer then tries to publish at once;
whatever it could not publish (broker down, process killed) is published by the relay, which
reads only that small collection and the documents it names, never the whole history. An event
leaves the outbox, then its note, only after the broker confirmed it, so an accepted request's
events are never lost. A note whose event is not in its document (the write failed, or the note
outlived its publication) is dropped after ORPHAN_SECONDS.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import timedelta

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import PyMongoError

from common import config, envelope, locks, metrics, mongo
from common.broker import BrokerUnavailable, Publisher, publisher

log = logging.getLogger(__name__)
ORPHAN_SECONDS = 300
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Outbox:
    """The documents of a collection that carry events; `locked` when their writers take the lock."""

    collection: str
    locked: bool = False

    @property
    def pending(self) -> str:
        """Return the collection that notes the events not yet published."""
        return f"{self.collection}_outbox"

    def guard(self, db: Database, doc_id) -> AbstractContextManager:
        """Return the lock every writer of this document holds, when the collection needs one."""
        return locks.locked(db, f"{self.collection}:{doc_id}") if self.locked else nullcontext()


def ensure_indexes(db: Database, box: Outbox) -> None:
    """Create the index the relay reads the pending events by."""
    db[box.pending].create_index([("at", ASCENDING)])


def _note(db: Database, box: Outbox, doc_id, events: list[dict]) -> None:
    if not events:
        return
    at = envelope.utcnow()
    db[box.pending].insert_many([{"_id": e["id"], "doc": doc_id, "at": at} for e in events], ordered=False)


def stage(db: Database, box: Outbox, doc_id, events: list[dict]) -> dict:
    """Note the events as pending; return the fields that put them in the document (for $set).

    Call it right before the write that carries them.
    """
    _note(db, box, doc_id, events)
    return {f"outbox.{event['id']}": event for event in events}


def stage_new(db: Database, box: Outbox, doc_id, events: list[dict]) -> dict:
    """Note the events as pending; return the outbox field of a document about to be inserted."""
    _note(db, box, doc_id, events)
    return {"outbox": {event["id"]: event for event in events}}


def publish_pending(
    db: Database, box: Outbox, doc_id, events: list[dict], via: Publisher | None = None
) -> int:
    """Publish these outbox events in order, removing each once confirmed; return how many."""
    sender = via or publisher()
    sent = 0
    for event in sorted(events, key=lambda e: e["time"]):
        sender.publish(event)
        metrics.EVENTS_PUBLISHED.labels(config.settings().service_name, event["type"]).inc()
        # Unlocked documents may lose this removal to a concurrent one: the event is then published
        # again later, a duplicate that consumers tolerate, never a loss.
        with box.guard(db, doc_id):
            db[box.collection].update_one({"_id": doc_id}, {"$unset": {f"outbox.{event['id']}": ""}})
        db[box.pending].delete_one({"_id": event["id"]})
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
    grace = config.settings().outbox_grace_seconds if grace is None else grace
    now = envelope.utcnow()
    # The writer publishes its own events right away; give it a moment before competing.
    notes = list(db[box.pending].find({"at": {"$lte": now - timedelta(seconds=grace)}}).limit(SWEEP_BATCH))
    by_document: dict = {}
    for note in notes:
        by_document.setdefault(note["doc"], []).append(note)
    orphaned = now - timedelta(seconds=ORPHAN_SECONDS)
    sent = 0
    for doc_id, group in by_document.items():
        held = (db[box.collection].find_one({"_id": doc_id}, {"outbox": 1}) or {}).get("outbox") or {}
        ready = [held[note["_id"]] for note in group if note["_id"] in held]
        if ready:
            sent += publish_pending(db, box, doc_id, ready, via)
        stale = [note["_id"] for note in group if note["_id"] not in held and note["at"] <= orphaned]
        if stale:
            db[box.pending].delete_many({"_id": {"$in": stale}})
    return sent


class Relay(threading.Thread):
    """Sweep the outboxes of some collections until stopped."""

    def __init__(
        self,
        boxes: tuple[Outbox, ...],
        stop: threading.Event,
        interval: float | None = None,
        beat: Callable[[], None] = lambda: None,
    ):
        super().__init__(name="outbox-relay", daemon=True)
        self.boxes = boxes
        self.stop = stop
        self.interval = interval or config.settings().outbox_sweep_seconds
        self.beat = beat  # called at every round: a relay that stops going round is stuck

    def run(self) -> None:
        sender = Publisher()
        relayed = metrics.EVENTS_RELAYED.labels(config.settings().service_name)
        while not self.stop.is_set():
            self.beat()
            try:
                for box in self.boxes:
                    sent = sweep(mongo.database(), box, sender)
                    if sent:
                        relayed.inc(sent)
                        log.info("relay published events", extra={"count": sent})
            except (BrokerUnavailable, PyMongoError) as exc:
                log.warning("outbox relay waiting for its dependencies", extra={"error": str(exc)})
            except Exception:  # noqa: BLE001 - the relay must outlive one bad document
                log.exception("outbox relay sweep failed")
            self.stop.wait(self.interval)
        sender.close()
