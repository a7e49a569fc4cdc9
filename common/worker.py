"""A service's background process: its consumer, its outbox relay, and its periodic jobs.

Every instance consumes from the service's queue and relays its outboxes (a relay publishes only
what writers left behind, and consumers are idempotent); a periodic job runs in the one instance
that holds its lease (common/leases.py).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from common import config, leases, logs, mongo
from common.consumer import Consumer, Handler
from common.outbox import Outbox, Relay

log = logging.getLogger(__name__)


def run(
    service: str,
    *,
    handlers: dict[str, Handler] | None = None,
    outboxes: tuple[Outbox, ...] = (),
    periodic: tuple[tuple[float, Callable[[], None]], ...] = (),
) -> None:
    """Run until SIGTERM or SIGINT: relay the outboxes and consume the handlers' event types."""
    config.check_production_secrets()
    logs.setup(service)
    stop = threading.Event()

    def _stop(signum, _frame):
        log.info("stopping", extra={"signal": signum})
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    relay = Relay(outboxes, stop) if outboxes else None
    if relay:
        relay.start()
    mongo.on_first_use(leases.ensure_indexes)
    holder = leases.holder_name()
    jobs = [
        threading.Thread(
            target=_every,
            args=(f"{service}:{job.__name__}", interval, job, stop, holder),
            name=job.__name__,
            daemon=True,
        )
        for interval, job in periodic
    ]
    for thread in jobs:
        thread.start()
    log.info("worker started", extra={"consumes": sorted(handlers or {}), "relays": len(outboxes)})
    if handlers:
        Consumer(service, handlers).run(stop)
    else:
        stop.wait()
    if relay:
        relay.join(timeout=5)
    for thread in jobs:
        thread.join(timeout=5)  # a job between runs lets go of its lease
    log.info("worker stopped")


def lease_seconds(interval: float) -> float:
    """Return how long a job's lease lasts: after three missed runs, another instance runs the job."""
    return max(3 * interval, 10.0)


def _every(name: str, interval: float, job: Callable[[], None], stop: threading.Event, holder: str) -> None:
    """Run the job now and then every interval until stopped, while this instance holds its lease.

    A failed run waits for the next. The instance lets go of the lease when it stops.
    """
    held = False
    while not stop.is_set():
        try:
            held = leases.hold(mongo.database(), name, holder, lease_seconds(interval))
            if held:
                job()
        except Exception:  # noqa: BLE001 - a periodic job must survive its dependencies' outages
            log.exception("periodic job failed", extra={"job": name})
        stop.wait(interval)
    if held:
        try:
            leases.release(mongo.database(), name, holder)
        except Exception:  # noqa: BLE001 - the lease expires by itself
            log.warning("could not release a lease", extra={"job": name})
