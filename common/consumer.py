"""The consumer loop: manual acks, small prefetch, dedup by event id, retries, dead letters."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import pika
from pika.exceptions import AMQPError
from pymongo.errors import DuplicateKeyError, PyMongoError

from common import broker, config, envelope, metrics, mongo
from common.logs import request_id_var

log = logging.getLogger(__name__)

Handler = Callable[[dict], None]


class DependencyUnavailable(RuntimeError):
    """A handler's dependency (a mail server, another service) is down: try the event later."""


class Consumer:
    """Consume a service's queue and hand each event to the handler of its type."""

    def __init__(self, service: str, handlers: dict[str, Handler]):
        self.service = service
        self.handlers = handlers
        self.queue = f"{config.queue_prefix()}.{service}"
        self.delays = broker.retry_delays()

    def processed(self):
        """Return the collection of event ids this service has handled."""
        return mongo.database()[f"{self.service}_processed_events"]

    def run(self, stop: threading.Event) -> None:
        """Consume until stopped, reconnecting with back-off when the broker goes away."""
        backoff = 1.0
        while not stop.is_set():
            connection = None
            try:
                connection = pika.BlockingConnection(broker.parameters())
                channel = connection.channel()
                channel.confirm_delivery()
                broker.declare_consumer_queues(channel, self.queue, sorted(self.handlers))
                channel.basic_qos(prefetch_count=config.get_int("PREFETCH", 5))
                channel.basic_consume(self.queue, self._on_message)
                log.info("consuming", extra={"queue": self.queue})
                backoff = 1.0
                while not stop.is_set():
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

    def _on_message(self, channel, method, props, body: bytes) -> None:
        try:
            event = envelope.decode(body)
        except envelope.InvalidEvent as exc:
            log.error("unreadable message set aside", extra={"error": str(exc)})
            self._dead_letter(channel, props, body, str(exc))
            channel.basic_ack(method.delivery_tag)
            return
        handler = self.handlers.get(event["type"])
        token = request_id_var.set(event.get("requestid"))
        started = time.perf_counter()
        outcome = "handled"
        try:
            if handler is None or self._already_processed(event["id"]):
                outcome = "skipped"
            else:
                handler(event)
                self._remember(event)
        except (PyMongoError, DependencyUnavailable) as exc:
            # A dependency is down: wait for it without spending the event's attempts.
            outcome = "deferred"
            log.warning(
                "dependency unavailable, event deferred", extra={"event_id": event["id"], "error": str(exc)}
            )
            self._defer(channel, props, body)
        except Exception as exc:  # noqa: BLE001 - any handler failure is retried, then dead-lettered
            outcome = "failed"
            log.exception("event handler failed", extra={"event_id": event["id"], "type": event["type"]})
            self._retry(channel, props, body, event, attempt=self._attempt(props) + 1, error=exc)
        finally:
            log.info("event %s", outcome, extra={"type": event["type"], "event_id": event["id"]})
            request_id_var.reset(token)
        channel.basic_ack(method.delivery_tag)
        metrics.EVENTS_CONSUMED.labels(self.service, event["type"], outcome).inc()
        metrics.EVENT_HANDLING.labels(self.service).observe(time.perf_counter() - started)

    def _already_processed(self, event_id: str) -> bool:
        return self.processed().find_one({"_id": event_id}, {"_id": 1}) is not None

    def _remember(self, event: dict) -> None:
        try:
            self.processed().insert_one({"_id": event["id"], "type": event["type"], "at": envelope.utcnow()})
        except DuplicateKeyError:
            pass

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
