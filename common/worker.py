"""A service's background process: its consumer, its outbox relay, and its periodic jobs."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from common import config, logs
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
    for interval, job in periodic:
        threading.Thread(target=_every, args=(interval, job, stop), name=job.__name__, daemon=True).start()
    log.info("worker started", extra={"consumes": sorted(handlers or {}), "relays": len(outboxes)})
    if handlers:
        Consumer(service, handlers).run(stop)
    else:
        stop.wait()
    if relay:
        relay.join(timeout=5)
    log.info("worker stopped")


def _every(interval: float, job: Callable[[], None], stop: threading.Event) -> None:
    """Run the job now and then every interval until stopped; a failed run waits for the next."""
    while not stop.is_set():
        try:
            job()
        except Exception:  # noqa: BLE001 - a periodic job must survive its dependencies' outages
            log.exception("periodic job failed", extra={"job": job.__name__})
        stop.wait(interval)
