"""Per-document locks on the document store, for read-modify-write changes.

FerretDB 1.x applies an update by reading the document and writing it back in
two steps, so two concurrent updates of one document can lose one of them,
whatever their operators or filters. Inserting a document with a given ``_id``
is atomic on every store, so a lock is that insert; it is released by deleting
it, and taken over when its holder has held it past its lease (a crashed
process). Every writer of a locked kind of document must take the lock.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common.envelope import utcnow
from common.errors import Unavailable

COLLECTION = "locks"


class Busy(Unavailable):
    """Someone else holds the lock for longer than a request should wait."""


class Held:
    """A lock this process holds; a long task renews its lease as it goes."""

    def __init__(self, db: Database, name: str, token: str):
        self.db, self.name, self.token = db, name, token

    def renew(self) -> None:
        """Push the lease forward, so that no one takes the lock over while its holder works."""
        self.db[COLLECTION].update_one({"_id": self.name, "token": self.token}, {"$set": {"at": utcnow()}})


def held_recently(db: Database, name: str, lease: float) -> bool:
    """Return whether someone holds the lock called `name` within its lease."""
    found = db[COLLECTION].find_one({"_id": name}, {"at": 1})
    return found is not None and found["at"] >= utcnow() - timedelta(seconds=lease)


_local: dict[str, list] = {}  # name -> [its lock in this process, how many threads want it]
_local_guard = threading.Lock()


@contextmanager
def _in_process(name: str, wait: float) -> Iterator[None]:
    """Hold this process's own lock of the name: its threads queue here, not by polling the store."""
    with _local_guard:
        entry = _local.setdefault(name, [threading.Lock(), 0])
        entry[1] += 1
    try:
        if not entry[0].acquire(timeout=wait):
            raise Busy("This record is being changed by someone else; try again shortly.")
        try:
            yield
        finally:
            entry[0].release()
    finally:
        with _local_guard:
            entry[1] -= 1
            if entry[1] == 0:
                del _local[name]


@contextmanager
def locked(db: Database, name: str, *, wait: float = 5.0, lease: float = 30.0) -> Iterator[Held]:
    """Hold the lock called `name` for the duration of the block.

    The threads of one process wait for each other on a lock of their own first: only one of them
    at a time tries the store's, which other processes contend for.
    """
    deadline = time.monotonic() + wait
    with _in_process(name, wait):
        with _in_store(db, name, deadline, lease) as held:
            yield held


@contextmanager
def _in_store(db: Database, name: str, deadline: float, lease: float) -> Iterator[Held]:
    locks = db[COLLECTION]
    token = uuid.uuid4().hex
    pause = 0.002
    while True:
        try:
            locks.insert_one({"_id": name, "token": token, "at": utcnow()})
            break
        except DuplicateKeyError:
            held = locks.find_one({"_id": name})
            if held is not None and held["at"] < utcnow() - timedelta(seconds=lease):
                locks.delete_one({"_id": name, "token": held["token"]})
                continue
            if time.monotonic() > deadline:
                raise Busy("This record is being changed by someone else; try again shortly.") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
    try:
        yield Held(db, name, token)
    finally:
        locks.delete_one({"_id": name, "token": token})
