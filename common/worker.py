"""A service's background process: its consumer, its outbox relay, and its periodic jobs.

Every instance consumes from the service's queue and relays its outboxes (a relay publishes only
what writers left behind, and consumers are idempotent); a periodic job runs in the one instance
that holds its lease (common/leases.py).

With WORKER_PORT set (a container's), the process answers its probes and metrics there, as a web
process does: /health/live fails when its consumer or relay has stopped going round,
/health/ready when the store or the broker does not answer, and /metrics gives its counters.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable

from werkzeug.serving import make_server

from common import config, health, leases, logs, metrics, mongo
from common.consumer import Consumer, Handler
from common.outbox import Outbox, Relay

log = logging.getLogger(__name__)

# A loop silent this long is stuck: its rounds take half a second, a reconnection at most some 15 s.
STALLED_SECONDS = 60.0


class Heartbeats:
    """When each of the worker's loops last went round."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}

    def beater(self, name: str) -> Callable[[], None]:
        """Return the function the loop of that name calls at every round (it counts from now)."""

        def beat() -> None:
            self._last[name] = time.monotonic()

        beat()
        return beat

    def stalled(self, limit: float = STALLED_SECONDS) -> list[str]:
        """Return the loops that have not gone round within the limit."""
        now = time.monotonic()
        return sorted(name for name, last in self._last.items() if now - last > limit)


def run(
    service: str,
    *,
    handlers: dict[str, Handler] | None = None,
    outboxes: tuple[Outbox, ...] = (),
    periodic: tuple[tuple[float, Callable[[], None]], ...] = (),
) -> None:
    """Run until SIGTERM or SIGINT: relay the outboxes and consume the handlers' event types."""
    config.load()
    logs.setup(service)
    metrics.prepare()
    stop = threading.Event()

    def _stop(signum, _frame):
        log.info("stopping", extra={"signal": signum})
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    beats = Heartbeats()
    probes = _serve_probes(service, beats)
    relay = Relay(outboxes, stop, beat=beats.beater("relay")) if outboxes else None
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
        Consumer(service, handlers).run(stop, beat=beats.beater("consumer"))
    else:
        stop.wait()
    if relay:
        relay.join(timeout=5)
    for thread in jobs:
        thread.join(timeout=5)  # a job between runs lets go of its lease
    if probes:
        probes.shutdown()
    log.info("worker stopped")


def _serve_probes(service: str, beats: Heartbeats):
    """Answer the probes and metrics on WORKER_PORT from a thread; return the server, or None unset."""
    port, host = config.settings().worker_port, config.settings().host
    if not port:
        return None
    try:
        server = make_server(host, port, health.worker_app(service, beats.stalled), threaded=True)
    except OSError as exc:
        raise SystemExit(f"WORKER_PORT {port}: cannot listen on {host}:{port} ({exc.strerror})") from exc
    threading.Thread(target=server.serve_forever, name="probes", daemon=True).start()
    log.info("probes and metrics served", extra={"port": port})
    return server


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
