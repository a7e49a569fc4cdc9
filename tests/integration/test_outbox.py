"""Events written with their state reach the broker, also after a broker outage."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pika
import pytest

from common import broker, config, envelope, outbox
from tests.support import wait_for


@pytest.fixture
def box(db):
    """A collection of its own for each test, with its notes of pending events."""
    return outbox.Outbox(f"t_relay_{uuid.uuid4().hex[:8]}", locked=True)


def _write(db, box, doc_id: str, *types: str) -> list[dict]:
    events = [
        envelope.new_event(t, source="test", subject=doc_id, data={"n": i}) for i, t in enumerate(types)
    ]
    db[box.collection].insert_one({"_id": doc_id, **outbox.stage_new(db, box, doc_id, events)})
    return events


def _notes(db, box) -> list[str]:
    return sorted(note["_id"] for note in db[box.pending].find())


def test_published_events_leave_the_outbox(db, box, listener):
    messages = listener("test.published")
    events = _write(db, box, "doc-1", "test.published", "test.published")
    assert outbox.publish_now(db, box, "doc-1", events)
    received = messages(2)
    assert [e["id"] for e in received] == [e["id"] for e in events]
    assert db[box.collection].find_one({"_id": "doc-1"})["outbox"] == {}
    assert _notes(db, box) == []


def test_events_wait_in_the_outbox_while_the_broker_is_down_then_go(db, box, infrastructure):
    if infrastructure.broker_command is None:
        pytest.skip("the broker is external (AMQP_URL): this test stops and starts its own")
    infrastructure.stop_broker()
    try:
        events = _write(db, box, "doc-2", "test.outage")
        assert not outbox.publish_now(db, box, "doc-2", events)
        assert list(db[box.collection].find_one({"_id": "doc-2"})["outbox"]) == [events[0]["id"]]
    finally:
        infrastructure.start_broker()
    wait_for(infrastructure.broker_answers, 60, 0.3, "the broker to be back")
    connection = pika.BlockingConnection(pika.URLParameters(infrastructure.amqp_url))
    channel = connection.channel()
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, config.settings().events_exchange, routing_key="test.outage")
    assert outbox.sweep(db, box, broker.Publisher(), grace=0) == 1
    _method, _props, body = wait_for(lambda: (m := channel.basic_get(queue, auto_ack=True))[0] and m)
    assert envelope.decode(body)["id"] == events[0]["id"]
    assert db[box.collection].find_one({"_id": "doc-2"})["outbox"] == {}
    assert _notes(db, box) == []
    connection.close()


def test_sweep_leaves_fresh_events_to_their_writer(db, box):
    events = _write(db, box, "doc-3", "test.fresh")
    assert outbox.sweep(db, box, broker.Publisher(), grace=60) == 0
    assert list(db[box.collection].find_one({"_id": "doc-3"})["outbox"]) == [events[0]["id"]]
    assert events[0]["id"] in _notes(db, box)


def test_the_relay_reads_the_pending_notes_not_the_history(db, box, listener):
    messages = listener("test.history")
    db[box.collection].insert_many([{"_id": f"old-{n}", "outbox": {}} for n in range(300)])
    events = _write(db, box, "doc-5", "test.history")
    # A writer killed after its write: the event is in its document, its note says where.
    assert outbox.sweep(db, box, broker.Publisher(), grace=0) == 1
    assert [e["id"] for e in messages(1)] == [events[0]["id"]]
    assert db[box.collection].find_one({"_id": "doc-5"})["outbox"] == {}
    assert _notes(db, box) == []


def test_a_note_without_its_event_is_dropped_once_it_is_old(db, box):
    # A write that failed after its note: nothing to publish, and the note is not kept for ever.
    event = envelope.new_event("test.failed", source="test", subject="doc-6", data={})
    outbox.stage(db, box, "doc-6", [event])
    assert outbox.sweep(db, box, broker.Publisher(), grace=0) == 0
    assert _notes(db, box) == [event["id"]]  # its writer may still be on its way
    db[box.pending].update_one({"_id": event["id"]}, {"$set": {"at": envelope.utcnow() - timedelta(hours=1)}})
    assert outbox.sweep(db, box, broker.Publisher(), grace=0) == 0
    assert _notes(db, box) == []


def test_published_messages_are_persistent_cloudevents(db, box, amqp):
    queue = amqp.queue_declare("", exclusive=True).method.queue
    amqp.queue_bind(queue, config.settings().events_exchange, routing_key="test.envelope")
    events = _write(db, box, "doc-4", "test.envelope")
    outbox.publish_now(db, box, "doc-4", events)
    method, props, body = wait_for(lambda: (m := amqp.basic_get(queue, auto_ack=True))[0] and m)
    event = envelope.decode(body)
    assert props.delivery_mode == 2
    assert props.content_type == "application/cloudevents+json"
    assert method.routing_key == "test.envelope"
    assert event["specversion"] == "1.0" and event["id"] == props.message_id
    assert event["source"] == "/services/test" and event["subject"] == "doc-4"
    assert event["datacontenttype"] == "application/json"
    assert event["time"].endswith("Z")
