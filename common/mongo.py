"""One MongoClient per process, opened on first use after the fork."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TypeVar

from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from common import config

T = TypeVar("T")
_lock = threading.Lock()
_client: MongoClient | None = None
_pid: int | None = None
_initializers: list[Callable[[Database], None]] = []
_initialized: set[int] = set()


def on_first_use(initializer: Callable[[Database], None]) -> None:
    """Run this (indexes, seed data) once per process before the database is first used."""
    if initializer not in _initializers:
        _initializers.append(initializer)


def client_options(url: str) -> dict:
    """Return the client's options: fail fast, named, and durable on a replica set.

    A write is acknowledged once a majority of a replica set's members have it (so a failover
    cannot roll it back), and a write interrupted by a failover is retried once. MONGO_URL's own
    `w=` or `retryWrites=` win over these; a single server takes them as they are.
    """
    options = {
        "tz_aware": True,
        "serverSelectionTimeoutMS": config.settings().mongo_timeout_ms,
        "connectTimeoutMS": 2000,
        "appname": config.settings().service_name,
    }
    given = {pair.split("=", 1)[0].lower() for pair in url.partition("?")[2].split("&") if pair}
    if "w" not in given:
        options["w"] = "majority"
    if "retrywrites" not in given:
        options["retryWrites"] = True
    return options


def client() -> MongoClient:
    """Return this process's client, made anew after a fork."""
    global _client, _pid
    with _lock:
        if _client is None or _pid != os.getpid():
            url = config.settings().mongo_url
            _client = MongoClient(url, **client_options(url))
            _pid = os.getpid()
            _initialized.clear()
        return _client


def database() -> Database:
    """Return the platform's database, running pending initializers first."""
    db = client()[config.settings().mongo_db]
    if len(_initialized) < len(_initializers):
        with _lock:
            for initializer in _initializers:
                if id(initializer) not in _initialized:
                    initializer(db)
                    _initialized.add(id(initializer))
    return db


def ping() -> None:
    """Raise when the store does not answer."""
    client().admin.command("ping")


def upsert(operation: Callable[[], T]) -> T:
    """Run an upsert; once more when a concurrent one inserted the same _id first.

    MongoDB retries such an upsert itself; FerretDB answers E11000 (duplicate key), and the second
    try finds the document the other writer inserted.
    """
    try:
        return operation()
    except DuplicateKeyError:
        return operation()
    except BulkWriteError as exc:
        if any(error.get("code") != 11000 for error in exc.details.get("writeErrors", [])):
            raise
        return operation()


def reset() -> None:
    """Forget the client (tests switch databases between runs)."""
    global _client
    with _lock:
        if _client is not None:
            _client.close()
        _client = None
        _initialized.clear()
