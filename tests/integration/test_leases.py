"""Leases on the real store: a periodic job runs in one instance at a time, and moves on a crash."""

from __future__ import annotations

import threading
from datetime import timedelta

from common import leases, worker
from common.envelope import utcnow
from tests.support import let_time_pass, wait_for


def expired(db, name: str) -> None:
    """Leave a lease as a crashed holder does: expired, never released."""
    past = utcnow() - timedelta(seconds=1)
    db[leases.COLLECTION].insert_one(
        {"_id": f"{name}#1", "name": name, "generation": 1, "holder": "gone", "until": past}
    )


def test_one_holder_at_a_time_and_the_holder_renews(db):
    assert leases.hold(db, "test:job", "a", 60)
    assert not leases.hold(db, "test:job", "b", 60)
    first = db[leases.COLLECTION].find_one({"name": "test:job"})
    let_time_pass(0.01, "a renewal ends later than the lease it renews")
    assert leases.hold(db, "test:job", "a", 60)  # renewed, not taken anew
    lease = db[leases.COLLECTION].find_one({"name": "test:job"})
    assert lease["_id"] == first["_id"] and lease["until"] > first["until"]
    assert leases.current_holder(db, "test:job") == "a"


def test_an_expired_lease_is_taken_over_and_a_released_one_at_once(db):
    expired(db, "test:crashed")
    assert leases.hold(db, "test:crashed", "b", 60)
    assert not leases.hold(db, "test:crashed", "gone", 60)  # the old holder came back too late
    leases.release(db, "test:crashed", "gone")  # not its lease: nothing happens
    assert not leases.hold(db, "test:crashed", "c", 60)
    leases.release(db, "test:crashed", "b")
    assert leases.hold(db, "test:crashed", "c", 60)


def test_instances_racing_for_an_expired_lease_get_one_holder(db):
    for round_ in range(10):
        name = f"test:race:{round_}"
        db[leases.COLLECTION].insert_one(
            {"_id": name, "holder": "gone", "until": utcnow() - timedelta(seconds=1)}
        )
        won, start = [], threading.Barrier(6)

        def race(holder, name=name, won=won, start=start):
            start.wait()
            if leases.hold(db, name, holder, 60):
                won.append(holder)

        threads = [threading.Thread(target=race, args=(f"h{i}",)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1, won
        assert leases.current_holder(db, name) == won[0]
        assert db[leases.COLLECTION].count_documents({"name": name}) == 1  # the winner tidied up


def test_a_job_runs_in_one_of_two_instances_then_in_the_other_when_the_first_stops(db):
    runs: list[str] = []

    def job():
        runs.append(threading.current_thread().name)

    stops = {name: threading.Event() for name in ("first", "second")}
    threads = {
        name: threading.Thread(
            target=worker._every, args=("test:periodic", 0.05, job, stops[name], name), name=name
        )
        for name in stops
    }
    threads["first"].start()
    wait_for(lambda: runs, 5, 0.01, "the first instance to run the job")
    threads["second"].start()
    started = len(runs)
    wait_for(lambda: len(runs) >= started + 8, 5, 0.01, "eight more runs, the second one trying meanwhile")
    assert set(runs) == {"first"}  # the second instance never ran it
    stops["first"].set()
    threads["first"].join(5)
    count = len(runs)
    wait_for(lambda: runs[count:], 0.5, 0.01, "the second instance to take over at once")
    stops["second"].set()
    threads["second"].join(5)
    assert set(runs[count:]) == {"second"}  # it took over at once: the first let go
    assert leases.current_holder(db, "test:periodic") is None
