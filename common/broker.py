"""RabbitMQ plumbing: connection settings, topology, and a publisher with confirms."""

from __future__ import annotations

import logging
import os
import threading
import time

import pika
from pika.exceptions import AMQPError

from common import config
from common.envelope import encode

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/cloudevents+json"


class BrokerUnavailable(RuntimeError):
    """The broker cannot be reached or did not confirm a message."""


def parameters() -> list[pika.URLParameters]:
    """Return the connection parameters of each of the broker's nodes, failing fast and named.

    AMQP_URL names one node or a cluster's nodes, separated by commas. pika tries them in turn;
    each process starts at a different one, so that connections spread over the cluster.
    """
    urls = config.settings().amqp_url
    start = os.getpid() % len(urls)
    found = []
    for url in urls[start:] + urls[:start]:
        params = pika.URLParameters(url)
        params.heartbeat = config.settings().amqp_heartbeat
        params.blocked_connection_timeout = 10
        params.connection_attempts = 1
        params.socket_timeout = 2
        params.stack_timeout = 5
        params.client_properties = {"connection_name": config.settings().service_name}
        found.append(params)
    return found


def retry_delays() -> list[int]:
    """Return the consumers' retry back-off, in seconds, one entry per attempt."""
    return list(config.settings().retry_delays)


def declare_exchange(channel) -> None:
    """Declare the durable topic exchange every event goes through."""
    channel.exchange_declare(config.settings().events_exchange, exchange_type="topic", durable=True)


def declare_consumer_queues(channel, queue: str, routing_keys: list[str]) -> None:
    """Declare a service's queue, its retry queues (one per back-off step) and its dead letters."""
    declare_exchange(channel)
    dead = f"{queue}.dead"
    channel.queue_declare(dead, durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_declare(
        queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            # A message that keeps killing its consumer is set aside, not redelivered forever.
            "x-delivery-limit": config.settings().delivery_limit,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": dead,
        },
    )
    for key in routing_keys:
        channel.queue_bind(queue, config.settings().events_exchange, routing_key=key)
    for delay in retry_delays():
        channel.queue_declare(
            f"{queue}.retry.{delay}s",
            durable=True,
            arguments={
                "x-message-ttl": delay * 1000,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": queue,
            },
        )


def properties(event: dict, headers: dict | None = None) -> pika.BasicProperties:
    """Return the AMQP properties of a persistent event message."""
    return pika.BasicProperties(
        content_type=CONTENT_TYPE,
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=event["id"],
        type=event["type"],
        timestamp=int(time.time()),
        headers=headers or {},
    )


class Publisher:
    """A confirmed publisher on one connection; not shared between threads."""

    def __init__(self) -> None:
        self._connection: pika.BlockingConnection | None = None
        self._channel = None
        self._down_until = 0.0

    def _open_channel(self):
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self.close()
        if time.monotonic() < self._down_until:
            raise BrokerUnavailable("broker recently unreachable")
        try:
            self._connection = pika.BlockingConnection(parameters())
            channel = self._connection.channel()
            channel.confirm_delivery()
            declare_exchange(channel)
        except (AMQPError, OSError) as exc:
            self.close()
            # Requests arriving during an outage should not each wait for a connect attempt.
            self._down_until = time.monotonic() + 1.0
            raise BrokerUnavailable(f"cannot connect to the broker: {exc!r}") from exc
        self._channel = channel
        return channel

    def publish(
        self,
        event: dict,
        *,
        exchange: str | None = None,
        routing_key: str | None = None,
        headers: dict | None = None,
        body: bytes | None = None,
    ) -> None:
        """Publish one persistent message and return once the broker confirmed it."""
        target = config.settings().events_exchange if exchange is None else exchange
        for attempt in (1, 2):
            channel = self._open_channel()
            try:
                channel.basic_publish(
                    target,
                    routing_key or event["type"],
                    body if body is not None else encode(event),
                    properties(event, headers),
                )
                return
            except (AMQPError, OSError) as exc:
                # A connection idle past its heartbeat is closed by the broker: reconnect once.
                self.close()
                if attempt == 2:
                    raise BrokerUnavailable(f"publish not confirmed: {exc!r}") from exc

    def check(self) -> None:
        """Raise BrokerUnavailable unless the broker answers."""
        self._probe(lambda connection: connection.process_data_events(time_limit=0))

    def check_queue(self, queue: str) -> None:
        """Raise BrokerUnavailable unless the queue exists (on a channel of its own)."""

        def declared(connection) -> None:
            probe = connection.channel()
            try:
                probe.queue_declare(queue, passive=True)
            except pika.exceptions.ChannelClosedByBroker as exc:
                raise BrokerUnavailable(f"queue {queue} not declared yet") from exc
            probe.close()

        self._probe(declared)

    def _probe(self, ask) -> None:
        """Ask the broker something; a connection left broken by a broker restart is opened anew once,
        so that readiness does not report the broker down while it is up."""
        for attempt in (1, 2):
            self._open_channel()
            try:
                ask(self._connection)
                return
            except (AMQPError, OSError) as exc:
                self.close()
                if attempt == 2:
                    raise BrokerUnavailable(repr(exc)) from exc

    def close(self) -> None:
        """Close the connection, ignoring errors of an already broken one."""
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            try:
                if connection.is_open:
                    connection.close()
            except Exception:  # noqa: BLE001 - a broken connection may fail to close
                pass


_local = threading.local()


def publisher() -> Publisher:
    """Return this thread's publisher, made anew after a fork."""
    current = getattr(_local, "publisher", None)
    if current is None or getattr(_local, "pid", None) != os.getpid():
        _local.publisher, _local.pid = Publisher(), os.getpid()
    return _local.publisher
