"""Rate limits shared by every process of every service: counters in the document store.

A limit is `count/seconds` (`RATE_TRACKING_FAILURES=20/600`): at most `count` events of one key
in a fixed window of that many seconds. Keys (client addresses, usernames) are kept only as an
HMAC under SECRET_KEY, never as they are. Counters are `$inc` upserts returning the new count,
which FerretDB 1.x (as `make run` builds it: launcher/infra.py) and MongoDB both make atomic;
windows that have ended are swept by the workers.

The limits are exact under concurrency: an event is counted before it is allowed (`take`), so of
any number of parallel requests only `count` get a number within the limit (`taken` gives the
count back when what it allowed then fails). A limit on failures
(tracking, sign-in) counts a failure before answering it, and reads its counter before answering a
success (`check_exact`): past the limit, the answer is 429 whichever the outcome was.

`check` refuses early without reading the store: a key that reaches its limit is written to a
small collection of blocked windows, which each process reads again every BLOCKED_REFRESH_SECONDS.
It spares a refused client's requests their work; it is not what makes the limit exact.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pymongo import ReturnDocument
from pymongo.database import Database

from common import config, mongo
from common.errors import ApiError
from common.settings import Rate

COLLECTION = "rate_limits"
BLOCKED = "rate_limits_blocked"
BLOCKED_REFRESH_SECONDS = 2.0


@dataclass
class _Known:
    """The blocked windows of one database, as this process knows them: window -> its end."""

    blocked: dict[str, float] = field(default_factory=dict)
    read_at: float = float("-inf")


_known: dict[str, _Known] = {}
_known_lock = threading.Lock()


class TooManyRequests(ApiError):
    status, code = 429, "too_many_requests"


@dataclass(frozen=True)
class Limit:
    """At most `count` events of one key per window of `seconds`, named for its counters."""

    name: str
    count: int
    seconds: int

    @classmethod
    def of(cls, name: str, rate: Rate) -> Limit:
        return cls(name, rate.count, rate.seconds)


def tracking_failures() -> Limit:
    return Limit.of("tracking", config.settings().rate_tracking_failures)


def submissions() -> Limit:
    return Limit.of("submissions", config.settings().rate_submissions)


def open311_submissions() -> Limit:
    return Limit.of("open311", config.settings().rate_open311_submissions)


def nearby_listings() -> Limit:
    """Already-reported listings asked from one client address (services/tracking/nearby.py)."""
    return Limit.of("nearby", config.settings().rate_nearby)


def reports_reads() -> Limit:
    """Public reports listed or read from one client address (services/tracking/reports.py)."""
    return Limit.of("reports", config.settings().rate_reports)


def login_failures() -> Limit:
    """Failed sign-ins of one account from one client address."""
    return Limit.of("login", config.settings().rate_login_failures)


def login_client_failures() -> Limit:
    """Failed sign-ins from one client address, whatever the accounts (password spraying)."""
    return Limit.of("login-client", config.settings().rate_login_client_failures)


def _window(limit: Limit, key: str, now: float) -> tuple[str, float]:
    start = math.floor(now / limit.seconds) * limit.seconds
    digest = hmac.new(config.settings().secret_key.encode(), key.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{limit.name}|{digest}|{int(start)}", start + limit.seconds


def _refuse(limit: Limit, ends: float, now: float) -> None:
    wait = max(1, math.ceil(ends - now))
    raise TooManyRequests(
        f"Too many requests: at most {limit.count} in {limit.seconds // 60} minutes. Try again later.",
        headers={"Retry-After": str(wait)},
    )


def _blocked(db: Database, now: float) -> dict[str, float]:
    """Return the blocked windows, read again from the store when this process's copy is old."""
    with _known_lock:
        known = _known.setdefault(db.name, _Known())
        if now - known.read_at >= BLOCKED_REFRESH_SECONDS:
            known.blocked = {d["_id"]: d["ends"].timestamp() for d in db[BLOCKED].find({}, {"ends": 1})}
            known.read_at = now
        return known.blocked


def check(db: Database, limit: Limit, key: str) -> None:
    """Refuse early with 429 (and Retry-After) when the key's window is known full; count nothing."""
    now = time.time()
    window, ends = _window(limit, key, now)
    if _blocked(db, now).get(window, 0) > now:
        _refuse(limit, ends, now)


def take(db: Database, limit: Limit, key: str) -> None:
    """Count one event of the key in its window, or refuse with 429 when that is one too many."""
    now = time.time()
    window, ends = _window(limit, key, now)
    counter = mongo.upsert(
        lambda: db[COLLECTION].find_one_and_update(
            {"_id": window},
            {"$inc": {"n": 1}, "$set": {"ends": datetime.fromtimestamp(ends, UTC)}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
    )
    if counter["n"] >= limit.count:
        _block(db, window, ends)
    if counter["n"] > limit.count:
        _refuse(limit, ends, now)


@contextmanager
def taken(db: Database, limit: Limit, key: str) -> Iterator[None]:
    """Count one event of the key (or refuse, as `take`), and uncount it if what it allowed fails."""
    take(db, limit, key)
    try:
        yield
    except Exception:
        window, _ends = _window(limit, key, time.time())
        db[COLLECTION].update_one({"_id": window}, {"$inc": {"n": -1}})
        raise


def check_exact(db: Database, limit: Limit, key: str) -> None:
    """Refuse with 429 when the key's window is full, as the store counts it now (one read by _id)."""
    now = time.time()
    window, ends = _window(limit, key, now)
    counter = db[COLLECTION].find_one({"_id": window}, {"n": 1})
    if counter is not None and counter["n"] >= limit.count:
        _refuse(limit, ends, now)


def _block(db: Database, window: str, ends: float) -> None:
    """Note that a window has reached its limit, for every process."""
    end = datetime.fromtimestamp(ends, UTC)
    mongo.upsert(lambda: db[BLOCKED].update_one({"_id": window}, {"$set": {"ends": end}}, upsert=True))
    with _known_lock:
        _known.setdefault(db.name, _Known()).blocked[window] = ends


def sweep(db: Database) -> int:
    """Delete the counters and blocks of windows that have ended; return how many counters."""
    now = datetime.now(UTC)
    db[BLOCKED].delete_many({"ends": {"$lt": now}})
    return db[COLLECTION].delete_many({"ends": {"$lt": now}}).deleted_count
