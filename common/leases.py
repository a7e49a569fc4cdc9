"""Leases: one instance at a time runs a periodic job, however many instances of a service run.

A lease is held by an instance until a time. An instance runs the job only while it holds the
lease: it takes a free or expired lease, and renews its own each time it runs. A holder that
crashed stops renewing, its lease expires, and another instance takes over; one that stops cleanly
lets go at once.

Only an insert is atomic on every store (FerretDB 1.x applies an update or a delete by reading,
then writing), so each taking of a lease is a new document, ``<name>#<generation>``: of the
instances that find generation n expired, only one can insert n + 1. The newest generation is the
lease; the one who took it removes the older ones.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from pymongo import DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common.envelope import utcnow

COLLECTION = "leases"
_EXPIRED = datetime(1970, 1, 1, tzinfo=UTC)


def holder_name() -> str:
    """Return a name for this process as a holder: its host, its pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def ensure_indexes(db: Database) -> None:
    """Create the index the newest generation of a lease is found by."""
    db[COLLECTION].create_index([("name", 1), ("generation", DESCENDING)])


def _newest(db: Database, name: str) -> dict | None:
    return next(iter(db[COLLECTION].find({"name": name}).sort("generation", DESCENDING).limit(1)), None)


def hold(db: Database, name: str, holder: str, seconds: float) -> bool:
    """Take or renew the lease called `name` for `seconds`; return whether `holder` holds it."""
    leases = db[COLLECTION]
    now = utcnow()
    until = now + timedelta(seconds=seconds)
    newest = _newest(db, name)
    if newest is not None and newest["holder"] == holder:
        leases.update_one({"_id": newest["_id"]}, {"$set": {"until": until}})
        # Taken over meanwhile (this holder had let it expire)? Then the newer one counts.
        return leases.find_one({"_id": f"{name}#{newest['generation'] + 1}"}, {"_id": 1}) is None
    if newest is not None and newest["until"] >= now:
        return False
    generation = newest["generation"] + 1 if newest is not None else 1
    try:
        leases.insert_one(
            {
                "_id": f"{name}#{generation}",
                "name": name,
                "generation": generation,
                "holder": holder,
                "until": until,
                "since": now,
            }
        )
    except DuplicateKeyError:
        return False
    leases.delete_many({"name": name, "generation": {"$lt": generation}})
    return True


def current_holder(db: Database, name: str) -> str | None:
    """Return who holds the lease called `name` now, if anyone."""
    newest = _newest(db, name)
    return newest["holder"] if newest is not None and newest["until"] >= utcnow() else None


def release(db: Database, name: str, holder: str) -> None:
    """Let go of the lease if `holder` holds it, so that another instance takes over at once."""
    newest = _newest(db, name)
    if newest is not None and newest["holder"] == holder:
        db[COLLECTION].update_one({"_id": newest["_id"], "holder": holder}, {"$set": {"until": _EXPIRED}})
