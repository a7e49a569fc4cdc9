"""The consumer loop: manual acks, lanes per complaint, retries, dead letters."""

from __future__ import annotations

import functools
import logging
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pika
from pika.exceptions import AMQPError
from pymongo.errors import PyMongoError

from common import broker, config, envelope, metrics
from common.logs import request_id_var

log = logging.getLogger(__name__)

Handler = Callable[[dict], None]
# What became of an event (events_consumed_total's outcome): handled, of a type without a handler,
# deferred while a dependency is down, or failed (retried, then dead-lettered).
OUTCOMES = ("handled", "skipped", "deferred", "failed")


class DependencyUnavailable(RuntimeError):
    """A handler's dependency (a mail server, another service) is down: try the event later."""


class Consumer:
    """Consume a service's queue and hand each event to the handler of its type.

    An event may come more than once (a redelivery, a replayed dead letter, a relay publishing
    what its writer had published): every handler is idempotent by its own keys (a complaint's
    number, a delivery's event and recipient, the facts an event brings), so the consumer keeps
    no record of what it handled.

    CONSUMER_CONCURRENCY events are handled at once, each on the lane of its subject (the
    complaint): events about one complaint are handled one after the other, in the queue's order,
    while a lane waiting on the store or the mail server does not hold the others up. Acks and
    re-publications go through the connection's own thread, as pika requires.
    """

    def __init__(self, service: str, handlers: dict[str, Handler]):
        self.service = service
        self.handlers = handlers
        self.queue = f"{config.settings().queue_prefix}.{service}"
        self.delays = broker.retry_delays()
        self.lanes = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{service}-lane{n}")
            for n in range(config.settings().consumer_concurrency)
        ]
        # Every series this consumer counts exists from the start, at zero: a scrape shows it
        # before its first event, and a rate over it is right from the first one.
        for kind in handlers:
            for outcome in OUTCOMES:
                metrics.EVENTS_CONSUMED.labels(service, kind, outcome)
        metrics.EVENT_HANDLING.labels(service)

    def run(self, stop: threading.Event, beat: Callable[[], None] = lambda: None) -> None:
        """Consume until stopped, reconnecting with back-off when the broker goes away.

        `beat` is called at every round of the loop (twice a second, and between reconnections):
        a consumer that stops calling it is stuck.
        """
        backoff = 1.0
        while not stop.is_set():
            beat()
            connection = None
            try:
                connection = pika.BlockingConnection(broker.parameters())
                channel = connection.channel()
                channel.confirm_delivery()
                broker.declare_consumer_queues(channel, self.queue, sorted(self.handlers))
                prefetch = max(config.settings().prefetch, 2 * len(self.lanes))
                channel.basic_qos(prefetch_count=prefetch)
                channel.basic_consume(self.queue, functools.partial(self._on_message, connection))
                log.info("consuming", extra={"queue": self.queue, "lanes": len(self.lanes)})
                backoff = 1.0
                while not stop.is_set():
                    beat()
                    connection.process_data_events(time_limit=0.5)
            except (AMQPError, OSError) as exc:
                log.warning("broker connection lost", extra={"error": repr(exc)})
                stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                if connection is not None and connection.is_open:
                    try:
                        connection.close()
                    except (AMQPError, OSError):
                        pass
        for lane in self.lanes:
            lane.shutdown(wait=True)

    def _on_message(self, connection, channel, method, props, body: bytes) -> None:
        try:
            event = envelope.decode(body)
        except envelope.InvalidEvent as exc:
            log.error("unreadable message set aside", extra={"error": str(exc)})
            self._dead_letter(channel, props, body, str(exc))
            channel.basic_ack(method.delivery_tag)
            return
        subject = str(event.get("subject") or event["id"])
        lane = self.lanes[zlib.crc32(subject.encode()) % len(self.lanes)]
        lane.submit(self._handle, connection, channel, method.delivery_tag, props, body, event)

    def _handle(self, connection, channel, tag: int, props, body: bytes, event: dict) -> None:
        """Handle one event on its lane, then ack (and park) it on the connection's thread."""
        handler = self.handlers.get(event["type"])
        token = request_id_var.set(event.get("requestid"))
        started = time.perf_counter()
        outcome, park = "handled", None
        try:
            if handler is None:
                outcome = "skipped"
            else:
                handler(event)
        except (PyMongoError, DependencyUnavailable) as exc:
            # A dependency is down: wait for it without spending the event's attempts.
            outcome = "deferred"
            log.warning(
                "dependency unavailable, event deferred", extra={"event_id": event["id"], "error": str(exc)}
            )
            park = functools.partial(self._defer, channel, props, body)
        except Exception as exc:  # noqa: BLE001 - any handler failure is retried, then dead-lettered
            outcome = "failed"
            log.exception("event handler failed", extra={"event_id": event["id"], "type": event["type"]})
            park = functools.partial(
                self._retry, channel, props, body, event, attempt=self._attempt(props) + 1, error=exc
            )
        finally:
            log.info("event %s", outcome, extra={"type": event["type"], "event_id": event["id"]})
            request_id_var.reset(token)
        metrics.EVENTS_CONSUMED.labels(self.service, event["type"], outcome).inc()
        metrics.EVENT_HANDLING.labels(self.service).observe(time.perf_counter() - started)

        def settle() -> None:
            if not channel.is_open:
                return  # the connection was lost: the broker delivers the event again
            if park is not None:
                park()
            channel.basic_ack(tag)

        try:
            connection.add_callback_threadsafe(settle)
        except (AMQPError, OSError, RuntimeError) as exc:
            log.warning("event left for redelivery", extra={"event_id": event["id"], "error": repr(exc)})

    @staticmethod
    def _attempt(props) -> int:
        return int((props.headers or {}).get("x-attempt", 0))

    def _retry(self, channel, props, body, event, *, attempt: int, error) -> None:
        if attempt > len(self.delays):
            self._dead_letter(channel, props, body, repr(error))
            return
        self._delay(channel, props, body, self.delays[attempt - 1], {"x-attempt": attempt})

    def _defer(self, channel, props, body) -> None:
        deferrals = int((props.headers or {}).get("x-deferrals", 0)) + 1
        delay = self.delays[min(deferrals, len(self.delays)) - 1]
        self._delay(channel, props, body, delay, {"x-deferrals": deferrals})

    def _delay(self, channel, props, body, delay: int, headers: dict) -> None:
        """Park the message in the retry queue of this delay; it comes back when it expires."""
        self._park(channel, props, body, f"{self.queue}.retry.{delay}s", headers)

    def _dead_letter(self, channel, props, body, reason: str) -> None:
        self._park(channel, props, body, f"{self.queue}.dead", {"x-error": reason[:500]})

    @staticmethod
    def _park(channel, props, body, queue: str, headers: dict) -> None:
        channel.basic_publish(
            "",
            queue,
            body,
            pika.BasicProperties(
                content_type=props.content_type,
                delivery_mode=2,
                message_id=props.message_id,
                type=props.type,
                headers={**(props.headers or {}), **headers},
            ),
        )
