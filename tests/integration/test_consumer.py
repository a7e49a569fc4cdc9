"""The consumer loop: each event handled once, failures retried, then dead-lettered."""

from __future__ import annotations

import threading

import pika
import pytest

from common import broker, config, envelope
from common.consumer import Consumer
from tests.support import free_port, let_time_pass, wait_for


@pytest.fixture
def run_consumer(infrastructure):
    stops = []

    def start(service: str, handlers: dict) -> Consumer:
        consumer = Consumer(service, handlers)
        stop = threading.Event()
        thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
        thread.start()
        stops.append((stop, thread))
        return consumer

    yield start
    for stop, thread in stops:
        stop.set()
        thread.join(5)


def _queue_depth(amqp, queue: str) -> int:
    # A passive declare of a missing queue closes its channel: ask on a channel of its own.
    channel = amqp.connection.channel()
    try:
        return channel.queue_declare(queue, passive=True).method.message_count
    finally:
        if channel.is_open:
            channel.close()


def _wait_bound(amqp, consumer: Consumer):
    wait_for(lambda: _queue_depth(amqp, consumer.queue) == 0, 10, 0.1, "the queue")


def test_events_of_one_complaint_are_handled_in_order_while_others_go_by(run_consumer, amqp):
    handled, slow_started = [], threading.Event()

    def handle(event):
        if event["data"]["n"] == 0:
            slow_started.set()
            let_time_pass(0.5, "the first event of RC-A waits on a slow dependency")
        handled.append((event["subject"], event["data"]["n"]))

    consumer = run_consumer("lanes", {"test.lane": handle})
    _wait_bound(amqp, consumer)
    publisher = broker.Publisher()
    for n in range(3):
        publisher.publish(envelope.new_event("test.lane", source="test", subject="RC-A", data={"n": n}))
    slow_started.wait(5)
    publisher.publish(envelope.new_event("test.lane", source="test", subject="RC-B", data={"n": 9}))
    wait_for(lambda: len(handled) == 4, 10, 0.05, "every event")
    assert [n for subject, n in handled if subject == "RC-A"] == [0, 1, 2]
    if consumer.lanes[0] is not consumer.lanes[-1]:  # RC-B on another lane did not wait for RC-A
        assert handled.index(("RC-B", 9)) < handled.index(("RC-A", 0))
    wait_for(lambda: _queue_depth(amqp, consumer.queue) == 0, message="every event acked")


def test_a_failing_handler_is_retried_then_dead_lettered(run_consumer, amqp):
    attempts = []

    def always_fails(event):
        attempts.append(event["id"])
        raise ValueError("cannot handle")

    consumer = run_consumer("failing", {"test.fails": always_fails})
    _wait_bound(amqp, consumer)
    event = envelope.new_event("test.fails", source="test", subject="RC-2", data={})
    broker.Publisher().publish(event)
    dead = f"{consumer.queue}.dead"
    wait_for(lambda: _queue_depth(amqp, dead) == 1, 20, 0.2, "the dead letter")
    assert len(attempts) == 1 + len(broker.retry_delays())
    method, props, body = amqp.basic_get(dead, auto_ack=True)
    assert envelope.decode(body)["id"] == event["id"]
    assert "cannot handle" in props.headers["x-error"]


def test_a_handler_that_recovers_succeeds_on_retry(run_consumer, amqp):
    calls = []

    def flaky(event):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("transient")

    consumer = run_consumer("flaky", {"test.flaky": flaky})
    _wait_bound(amqp, consumer)
    event = envelope.new_event("test.flaky", source="test", subject="RC-3", data={})
    broker.Publisher().publish(event)
    wait_for(lambda: len(calls) == 2, 15, 0.1, "the retry")
    wait_for(lambda: _queue_depth(amqp, consumer.queue) == 0, message="the event acked")
    assert _queue_depth(amqp, f"{consumer.queue}.dead") == 0


def test_an_unreadable_message_is_set_aside(run_consumer, amqp):
    consumer = run_consumer("garbage", {"test.garbage": lambda e: None})
    _wait_bound(amqp, consumer)
    amqp.basic_publish(
        config.settings().events_exchange, "test.garbage", b"not json", pika.BasicProperties(delivery_mode=2)
    )
    wait_for(lambda: _queue_depth(amqp, f"{consumer.queue}.dead") == 1, 10, 0.1, "the dead letter")


def test_dead_letters_replayed_once_mended_are_handled(run_consumer, amqp):
    from common import replay

    mended, handled = threading.Event(), []

    def until_mended(event):
        if not mended.is_set():
            raise ValueError("a bug, fixed later")
        handled.append(event["id"])

    consumer = run_consumer("replayed", {"test.replayed": until_mended})
    _wait_bound(amqp, consumer)
    events = [
        envelope.new_event("test.replayed", source="test", subject=f"RC-{i}", data={}) for i in range(3)
    ]
    for event in events:
        broker.Publisher().publish(event)
    dead = f"{consumer.queue}.dead"
    wait_for(lambda: _queue_depth(amqp, dead) == 3, 30, 0.2, "the dead letters")
    mended.set()
    assert replay.replay("replayed", limit=2) == 2
    assert replay.replay("replayed") == 1
    assert replay.replay("replayed") == 0
    wait_for(lambda: len(handled) == 3, 15, 0.1, "the replayed events")
    assert sorted(handled) == sorted(e["id"] for e in events)
    assert _queue_depth(amqp, dead) == 0


def test_a_cluster_url_list_reaches_the_node_that_answers(monkeypatch, infrastructure):
    dead_port = free_port()
    dead = f"amqp://guest:guest@127.0.0.1:{dead_port}/%2F"
    live_port = pika.URLParameters(infrastructure.amqp_url).port
    for listed in (f"{dead}, {infrastructure.amqp_url}", f"{infrastructure.amqp_url},{dead}"):
        monkeypatch.setenv("AMQP_URL", listed)
        config.reload()
        assert {params.port for params in broker.parameters()} == {dead_port, live_port}
        connection = pika.BlockingConnection(broker.parameters())  # whichever node comes first
        assert connection.is_open
        connection.close()
