"""Events written with their state reach the broker, also after a broker outage."""

from __future__ import annotations

import pika
import pytest

from common import broker, config, envelope, outbox
from tests.support import wait_for

BOX = outbox.Outbox("t_relay", locked=True)


def _write(db, doc_id: str, *types: str) -> list[dict]:
    events = [
        envelope.new_event(t, source="test", subject=doc_id, data={"n": i}) for i, t in enumerate(types)
    ]
    db["t_relay"].insert_one({"_id": doc_id, **outbox.new_document_fields(events)})
    return events


def test_published_events_leave_the_outbox(db, listener):
    messages = listener("test.published")
    events = _write(db, "doc-1", "test.published", "test.published")
    assert outbox.publish_now(db, BOX, "doc-1", events)
    received = messages(2)
    assert [e["id"] for e in received] == [e["id"] for e in events]
    assert db["t_relay"].find_one({"_id": "doc-1"})["outbox"] == {}


def test_events_wait_in_the_outbox_while_the_broker_is_down_then_go(db, infrastructure):
    if infrastructure.broker_command is None:
        pytest.skip("the broker is external (AMQP_URL): this test stops and starts its own")
    infrastructure.stop_broker()
    try:
        events = _write(db, "doc-2", "test.outage")
        assert not outbox.publish_now(db, BOX, "doc-2", events)
        assert list(db["t_relay"].find_one({"_id": "doc-2"})["outbox"]) == [events[0]["id"]]
    finally:
        infrastructure.start_broker()
    wait_for(infrastructure.broker_answers, 60, 0.3, "the broker to be back")
    connection = pika.BlockingConnection(pika.URLParameters(infrastructure.amqp_url))
    channel = connection.channel()
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, config.exchange(), routing_key="test.outage")
    assert outbox.sweep(db, BOX, broker.Publisher(), grace=0) == 1
    _method, _props, body = wait_for(lambda: (m := channel.basic_get(queue, auto_ack=True))[0] and m)
    assert envelope.decode(body)["id"] == events[0]["id"]
    doc = db["t_relay"].find_one({"_id": "doc-2"})
    assert doc["outbox"] == {} and "outbox_pending" not in doc
    connection.close()


def test_sweep_leaves_fresh_events_to_their_writer(db):
    _write(db, "doc-3", "test.fresh")
    assert outbox.sweep(db, BOX, broker.Publisher(), grace=60) == 0
    assert db["t_relay"].find_one({"_id": "doc-3"})["outbox_pending"] is True


def test_published_messages_are_persistent_cloudevents(db, amqp):
    queue = amqp.queue_declare("", exclusive=True).method.queue
    amqp.queue_bind(queue, config.exchange(), routing_key="test.envelope")
    events = _write(db, "doc-4", "test.envelope")
    outbox.publish_now(db, BOX, "doc-4", events)
    method, props, body = wait_for(lambda: (m := amqp.basic_get(queue, auto_ack=True))[0] and m)
    event = envelope.decode(body)
    assert props.delivery_mode == 2
    assert props.content_type == "application/cloudevents+json"
    assert method.routing_key == "test.envelope"
    assert event["specversion"] == "1.0" and event["id"] == props.message_id
    assert event["source"] == "/services/test" and event["subject"] == "doc-4"
    assert event["datacontenttype"] == "application/json"
    assert event["time"].endswith("Z")
