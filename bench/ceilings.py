"""The limits of this machine, measured beside the platform in the same run.

A: the bare web stack; B: the document store's single-client writes and indexed reads;
C: the broker's publishes with confirms. Each is the most one of the platform's hops could do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pika
import pymongo

from bench import load
from tests.support import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent


def _for(seconds: float, action) -> tuple[int, float]:
    """Call action until `seconds` have passed; return (calls, elapsed)."""
    calls, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        action(calls)
        calls += 1
    return calls, time.perf_counter() - started


def web(seconds: float, connections: int) -> load.Run:
    """Ceiling A: wrk against a constant JSON endpoint on gunicorn with the services' settings."""
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [gunicorn, "-c", "python:common.gunicorn_conf", "bench.constant:create_app()"],
        cwd=ROOT,
        env={**os.environ, "PORT": str(port), "SERVICE_NAME": "constant"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/constant"
    try:
        wait_for(
            lambda: load.wrk(url, "constant.lua", connections=1, seconds=1).requests, 30, 0.5, "ceiling A"
        )
        load.wrk(url, "constant.lua", connections=connections, seconds=3)  # warm up
        return load.wrk(url, "constant.lua", connections=connections, seconds=seconds)
    finally:
        server.terminate()
        server.wait(30)


def store(mongo_url: str, seconds: float) -> tuple[float, float]:
    """Ceiling B: one client's insert_one rate, then its find_one-by-_id rate, in a scratch database."""
    client = pymongo.MongoClient(mongo_url, tz_aware=True)
    name = f"bench_ceiling_{uuid.uuid4().hex[:8]}"
    collection = client[name]["documents"]
    # About the size of a complaint as intake stores it.
    payload = {"subject": "Nid de poule", "description": "x" * 600, "citizen": {"email": "a@b.example"}}
    try:
        inserts, elapsed = _for(seconds, lambda i: collection.insert_one({"_id": f"doc-{i}", **payload}))
        insert_rate = inserts / elapsed
        finds, elapsed = _for(seconds, lambda i: collection.find_one({"_id": f"doc-{(i * 7919) % inserts}"}))
        return insert_rate, finds / elapsed
    finally:
        client.drop_database(name)
        client.close()


def broker(amqp_url: str, seconds: float) -> float:
    """Ceiling C: one pika channel publishing persistent messages, each confirmed, to a quorum queue."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    channel.confirm_delivery()
    queue = f"bench.ceiling.{uuid.uuid4().hex[:8]}"
    channel.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
    body = b'{"specversion": "1.0", "type": "bench.ceiling", "data": {"subject": "' + b"x" * 600 + b'"}}'
    properties = pika.BasicProperties(delivery_mode=2, content_type="application/cloudevents+json")
    try:
        publishes, elapsed = _for(
            seconds, lambda _i: channel.basic_publish("", queue, body, properties, mandatory=True)
        )
        return publishes / elapsed
    finally:
        channel.queue_delete(queue)
        connection.close()
