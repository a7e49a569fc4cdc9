"""Rate limits shared by every process of every service: counters in the document store.

A limit is `count/seconds` (`RATE_TRACKING_FAILURES=20/600`): at most `count` events of one key
in a fixed window of that many seconds. Keys (client addresses, usernames) are kept only as an
HMAC under SECRET_KEY, never as they are. Counters are plain `$inc` upserts, which FerretDB 1.x
and MongoDB both do (the `limits` library's MongoDB storage needs TTL indexes and pipeline
updates, which FerretDB 1.x lacks); windows that have ended are swept by the workers.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from pymongo import ReturnDocument
from pymongo.database import Database

from common import config
from common.errors import ApiError

COLLECTION = "rate_limits"


class TooManyRequests(ApiError):
    status, code = 429, "too_many_requests"


@dataclass(frozen=True)
class Limit:
    """At most `count` events of one key per window of `seconds`, named for its counters."""

    name: str
    count: int
    seconds: int

    @classmethod
    def from_env(cls, name: str, variable: str, default: str) -> Limit:
        count, _, seconds = (config.get(variable, default) or default).partition("/")
        return cls(name, int(count), int(seconds))


def tracking_failures() -> Limit:
    return Limit.from_env("tracking", "RATE_TRACKING_FAILURES", "20/600")


def submissions() -> Limit:
    return Limit.from_env("submissions", "RATE_SUBMISSIONS", "100/3600")


def open311_submissions() -> Limit:
    return Limit.from_env("open311", "RATE_OPEN311_SUBMISSIONS", "1000/3600")


def login_failures() -> Limit:
    return Limit.from_env("login", "RATE_LOGIN_FAILURES", "10/900")


def _window(limit: Limit, key: str, now: float) -> tuple[str, float]:
    start = math.floor(now / limit.seconds) * limit.seconds
    digest = hmac.new(config.secret_key().encode(), key.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{limit.name}|{digest}|{int(start)}", start + limit.seconds


def _refuse(limit: Limit, ends: float, now: float) -> None:
    wait = max(1, math.ceil(ends - now))
    raise TooManyRequests(
        f"Too many requests: at most {limit.count} in {limit.seconds // 60} minutes. Try again later.",
        headers={"Retry-After": str(wait)},
    )


def check(db: Database, limit: Limit, key: str) -> None:
    """Refuse with 429 (and Retry-After) when the key has used up its window; count nothing."""
    now = time.time()
    window, ends = _window(limit, key, now)
    found = db[COLLECTION].find_one({"_id": window})
    if found and found["n"] >= limit.count:
        _refuse(limit, ends, now)


def record(db: Database, limit: Limit, key: str) -> int:
    """Count one event of the key in its current window; return the window's count."""
    window, ends = _window(limit, key, time.time())
    counter = db[COLLECTION].find_one_and_update(
        {"_id": window},
        {"$inc": {"n": 1}, "$set": {"ends": datetime.fromtimestamp(ends, UTC)}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    return counter["n"]


def sweep(db: Database) -> int:
    """Delete the counters of windows that have ended; return how many."""
    return db[COLLECTION].delete_many({"ends": {"$lt": datetime.now(UTC)}}).deleted_count
