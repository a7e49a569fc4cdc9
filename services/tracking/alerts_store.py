"""The alerts for a place (tracking_alerts): one document per address and place, with its outbox.

Each subscription's changes and the events they cause are one write of its own document, so no
write needs a lock: a request, a confirmation and a digest each change the document only as it was
read (a condition on its state, or on the digest's time), and a report collected for the weekly
digest is one key of its `digest` map. The matching queries are answered from indexes on top-level
scalars (the embedded store answers those in SQL, docs/architecture.md): a district's alerts by
equality, a point's by a range of `lat_min` no wider than the widest alert, then its box.
"""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import outbox
from services.tracking.rules import ALERT_LAT_SPAN

ALERTS = "tracking_alerts"
OUTBOX = outbox.Outbox(ALERTS)
PENDING, CONFIRMED = "pending", "confirmed"
# What matching reads of a subscription: never its outbox or its collected reports.
MATCHED = dict.fromkeys(
    ("email", "language", "frequency", "district", "district_name", "lat", "lon", "radius_m", "since"), 1
)
INDEXES = (
    [("district", ASCENDING), ("state", ASCENDING)],  # a district's alerts
    # A point's alerts: those whose box starts at most ALERT_LAT_SPAN below it, then the box.
    [("state", ASCENDING), *((bound, ASCENDING) for bound in ("lat_min", "lat_max", "lon_min", "lon_max"))],
    [("key", ASCENDING), ("state", ASCENDING)],  # an address's: its caps, its erasure, its export
    [("state", ASCENDING), ("expires_at", ASCENDING)],  # the requests to forget
    [("digest_due", ASCENDING)],  # the weekly digests to send
)


def ensure_indexes(db: Database) -> None:
    """Create the alerts' indexes and their outbox's."""
    outbox.ensure_indexes(db, OUTBOX)
    for keys in INDEXES:
        db[ALERTS].create_index(keys)


def find(db: Database, alert_id: str) -> dict | None:
    """Return a subscription without its outbox, or None."""
    return db[ALERTS].find_one({"_id": alert_id}, {"outbox": 0})


def insert_pending(db: Database, alert: dict, events: list[dict]) -> bool:
    """Insert a new request with its events; return False when the subscription exists already."""
    try:
        db[ALERTS].insert_one({**alert, **outbox.stage_new(db, OUTBOX, alert["_id"], events)})
    except DuplicateKeyError:
        return False
    outbox.publish_now(db, OUTBOX, alert["_id"], events)
    return True


def renew_pending(
    db: Database, alert_id: str, asked_before: datetime, fields: dict, events: list[dict]
) -> bool:
    """Ask a pending request again (its email sent before `asked_before`); False when it was not that."""
    match = {"_id": alert_id, "state": PENDING, "requested_at": {"$lt": asked_before}}
    update = {"$set": {**fields, **outbox.stage(db, OUTBOX, alert_id, events)}}
    if db[ALERTS].update_one(match, update).modified_count != 1:
        return False
    outbox.publish_now(db, OUTBOX, alert_id, events)
    return True


def pending_of(db: Database, key: str) -> list[dict]:
    """Return an address's requests waiting for their confirmation, oldest first."""
    found = db[ALERTS].find({"key": key, "state": PENDING}, {"requested_at": 1})
    return sorted(found, key=lambda alert: alert["requested_at"])


def count_confirmed(db: Database, key: str) -> int:
    """Return how many subscriptions an address confirmed."""
    return db[ALERTS].count_documents({"key": key, "state": CONFIRMED})


def confirm(db: Database, alert_id: str, fields: dict) -> bool:
    """Confirm a pending request; return False when it was not pending (confirmed already, or gone)."""
    update = {"$set": {"state": CONFIRMED, "expires_at": None, **fields}}
    return db[ALERTS].update_one({"_id": alert_id, "state": PENDING}, update).modified_count == 1


def delete(db: Database, alert_id: str) -> None:
    """Remove a subscription, and with it whatever it had not been sent yet."""
    db[ALERTS].delete_one({"_id": alert_id})


def delete_pending(db: Database, alert_ids: list[str]) -> None:
    """Remove requests still waiting for their confirmation (a confirmed one stays)."""
    if alert_ids:
        db[ALERTS].delete_many({"_id": {"$in": alert_ids}, "state": PENDING})


def delete_expired(db: Database, now: datetime) -> int:
    """Remove the requests whose time to confirm has passed; return how many."""
    return db[ALERTS].delete_many({"state": PENDING, "expires_at": {"$lt": now}}).deleted_count


def of_address(db: Database, key: str) -> list[dict]:
    """Return an address's subscriptions, confirmed or not, without their outbox."""
    return list(db[ALERTS].find({"key": key}, {"outbox": 0}).sort("requested_at", ASCENDING))


def delete_of_address(db: Database, key: str) -> int:
    """Remove every subscription of an address; return how many."""
    return db[ALERTS].delete_many({"key": key}).deleted_count


def confirmed_in_district(db: Database, district: str) -> list[dict]:
    """Return the confirmed alerts of a district (an index)."""
    return list(db[ALERTS].find({"district": district, "state": CONFIRMED}, MATCHED))


def confirmed_around(db: Database, lat: float, lon: float) -> list[dict]:
    """Return the confirmed point alerts whose box holds the point (an index's range, then the boxes)."""
    match = {
        "state": CONFIRMED,
        "lat_min": {"$gte": lat - ALERT_LAT_SPAN, "$lte": lat},
        "lat_max": {"$gte": lat},
        "lon_min": {"$lte": lon},
        "lon_max": {"$gte": lon},
    }
    return list(db[ALERTS].find(match, MATCHED))


def tell(db: Database, alert_id: str, events: list[dict]) -> None:
    """Publish events of a confirmed subscription through its outbox (a no-op once it is gone)."""
    staged = outbox.stage(db, OUTBOX, alert_id, events)
    if db[ALERTS].update_one({"_id": alert_id, "state": CONFIRMED}, {"$set": staged}).modified_count == 1:
        outbox.publish_now(db, OUTBOX, alert_id, events)


def collect(db: Database, alert_id: str, report: dict) -> None:
    """Keep a report for a weekly subscriber's next digest (the same report twice is kept once)."""
    key = f"digest.{report['number']}"
    db[ALERTS].update_one({"_id": alert_id, "state": CONFIRMED}, {"$set": {key: report}})


def digests_due(db: Database, now: datetime, limit: int = 500) -> list[dict]:
    """Return the weekly subscriptions whose digest is due, with the reports they collected."""
    return list(db[ALERTS].find({"digest_due": {"$lte": now}}, {"outbox": 0}).limit(limit))


def digest_sent(
    db: Database, alert_id: str, due: datetime, next_due: datetime, numbers: list[str], events: list[dict]
) -> bool:
    """Move a digest on from `due` (as read) to `next_due`, dropping the reports it took, with its event.

    False when another run moved it first: each week's digest goes once.
    """
    update: dict = {"$set": {"digest_due": next_due, **outbox.stage(db, OUTBOX, alert_id, events)}}
    if numbers:
        update["$unset"] = {f"digest.{number}": "" for number in numbers}
    moved = db[ALERTS].update_one({"_id": alert_id, "digest_due": due}, update).modified_count == 1
    if moved and events:
        outbox.publish_now(db, OUTBOX, alert_id, events)
    return moved
