"""Tracking's worker: records submitted complaints, relays its outbox, runs the deadline jobs."""

from common import config, mongo, ratelimit, worker
from services.tracking import accounts, alerts_store, jobs, staff_store, store
from services.tracking.handlers import HANDLERS


def periodic_jobs() -> None:
    """Flag overdue complaints, close those past their reopen window, forget ended rate windows."""
    jobs.run_all(mongo.database())
    ratelimit.sweep(mongo.database())


def main() -> None:
    """Consume, relay and run the periodic jobs until stopped."""
    mongo.on_first_use(store.ensure_indexes)
    mongo.on_first_use(accounts.bootstrap_admin)
    mongo.on_first_use(store.complete_open)
    mongo.on_first_use(store.complete_search)
    mongo.on_first_use(store.complete_agents)
    worker.run(
        "tracking",
        handlers=HANDLERS,
        outboxes=(store.OUTBOX, staff_store.STAFF_OUTBOX, alerts_store.OUTBOX),
        periodic=((config.settings().jobs_interval_seconds, periodic_jobs),),
    )


if __name__ == "__main__":
    main()
