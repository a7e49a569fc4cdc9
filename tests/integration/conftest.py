"""The real broker and document store for integration tests, with names unique to this run."""

from __future__ import annotations

import os
import uuid

import pika
import pytest

from common import config, mongo
from tests.support import Infrastructure


@pytest.fixture(scope="session")
def infrastructure():
    """Start (or reuse, from MONGO_URL / AMQP_URL) a real store and broker for the session."""
    infra = Infrastructure().start()
    run = uuid.uuid4().hex[:10]
    previous = {
        k: os.environ.get(k)
        for k in (
            "MONGO_URL",
            "AMQP_URL",
            "MONGO_DB",
            "EVENTS_EXCHANGE",
            "QUEUE_PREFIX",
            "RETRY_DELAYS",
            "OUTBOX_GRACE_SECONDS",
        )
    }
    os.environ.update(
        {
            "MONGO_URL": infra.mongo_url,
            "AMQP_URL": infra.amqp_url,
            "MONGO_DB": f"test_{run}",
            "EVENTS_EXCHANGE": f"test.{run}.events",
            "QUEUE_PREFIX": f"test.{run}",
            "RETRY_DELAYS": "1,1",
            "OUTBOX_GRACE_SECONDS": "0",
        }
    )
    config.reload()
    mongo.reset()
    yield infra
    try:
        mongo.client().drop_database(config.settings().mongo_db)
    finally:
        mongo.reset()
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        config.reload()
        infra.stop()


@pytest.fixture(scope="session", autouse=True)
def published_events_follow_the_contract(infrastructure):
    """Every event the services publish during the session validates against docs/asyncapi.yaml."""
    from tests.contract import Capture, check_published

    capture = Capture(infrastructure.amqp_url, config.settings().events_exchange).start()
    yield
    check_published(capture.finish())


@pytest.fixture
def db(infrastructure):
    """Return the run's database."""
    return mongo.database()


@pytest.fixture
def amqp(infrastructure):
    """Return a channel on the real broker, closed after the test."""
    connection = pika.BlockingConnection(pika.URLParameters(infrastructure.amqp_url))
    channel = connection.channel()
    yield channel
    connection.close()


@pytest.fixture
def listener(amqp):
    """Return a function that binds a fresh queue to event types and returns its messages."""
    from common import broker, envelope

    broker.declare_exchange(amqp)

    def listen(*keys: str):
        queue = amqp.queue_declare("", exclusive=True).method.queue
        for key in keys:
            amqp.queue_bind(queue, config.settings().events_exchange, routing_key=key)

        def messages(expected: int, timeout: float = 10.0) -> list[dict]:
            from tests.support import wait_for

            received: list[dict] = []

            def enough():
                method, _props, body = amqp.basic_get(queue, auto_ack=True)
                while method is not None:
                    received.append(envelope.decode(body))
                    method, _props, body = amqp.basic_get(queue, auto_ack=True)
                return len(received) >= expected

            wait_for(enough, timeout, message=f"{expected} events on {keys}")
            return received

        return messages

    return listen


@pytest.fixture
def mailbox(tmp_path, monkeypatch, db):
    """Start a real SMTP server on a port of its own, notification's SMTP_HOST and SMTP_PORT set to it."""
    from services.notification import store
    from tests.integration.mail import Mailbox
    from tests.support import free_port

    store.ensure_indexes(db)
    port = free_port()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    config.reload()
    box = Mailbox(tmp_path, port)
    box.start()
    yield box
    box.stop()


@pytest.fixture
def apps(db):
    """The three services that take staff tokens, on the run's real store."""
    from services.feedback.app import create_app as feedback
    from services.intake import store as intake_store
    from services.intake.app import create_app as intake
    from services.tracking import store as tracking_store
    from services.tracking.app import create_app as tracking

    tracking_store.ensure_indexes(db)
    intake_store.ensure_indexes(db)
    return {
        "tracking": tracking({"TESTING": True}).test_client(),
        "intake": intake({"TESTING": True}).test_client(),
        "feedback": feedback({"TESTING": True}).test_client(),
    }
