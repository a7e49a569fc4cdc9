"""Per-document locks: one holder at a time, taken over after a crashed holder's lease."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from common import locks
from common.envelope import utcnow
from tests.support import let_time_pass


def test_holders_take_turns(db):
    inside, overlaps = [], []

    def work(i):
        with locks.locked(db, "test:turns"):
            if inside:
                overlaps.append(i)
            inside.append(i)
            let_time_pass(0.01, "hold the lock long enough for another holder to try")
            inside.remove(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
    assert db[locks.COLLECTION].find_one({"_id": "test:turns"}) is None


def test_a_crashed_holders_lock_is_taken_over_after_its_lease(db):
    db[locks.COLLECTION].insert_one(
        {"_id": "test:crashed", "token": "gone", "at": utcnow() - timedelta(seconds=60)}
    )
    with locks.locked(db, "test:crashed", lease=30):
        assert db[locks.COLLECTION].find_one({"_id": "test:crashed"})["token"] != "gone"


def test_a_held_lock_makes_others_wait_then_give_up(db):
    with locks.locked(db, "test:busy"):
        started = time.monotonic()
        with pytest.raises(locks.Busy), locks.locked(db, "test:busy", wait=0.3):
            pass
        assert time.monotonic() - started >= 0.3


def test_a_lock_another_process_holds_makes_this_ones_threads_wait(db):
    db[locks.COLLECTION].insert_one({"_id": "test:elsewhere", "token": "other", "at": utcnow()})
    waited = []

    def try_it():
        started = time.monotonic()
        with pytest.raises(locks.Busy), locks.locked(db, "test:elsewhere", wait=0.3):
            pass
        waited.append(time.monotonic() - started)

    threads = [threading.Thread(target=try_it) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(waited) == 3 and min(waited) >= 0.3
    assert locks._local == {}  # nothing kept for names no one wants any more
