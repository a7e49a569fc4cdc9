"""The limits of this machine, measured beside the platform in the same run.

A: the bare web stack; B: the document store's single-client writes and indexed reads;
C: the broker's publishes with confirms. Each is the most one of the platform's hops could do.
The bounds add the platform's least work to ceiling A's app: the gateway's hop in front of it,
one store read behind it, one store write behind it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pika
import pymongo
import requests

from bench import load
from bench.constant import BOUNDS_DATABASE
from tests.support import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
CONSTANT_APP = "bench.constant:create_app()"


def _for(seconds: float, action) -> tuple[int, float]:
    """Call action until `seconds` have passed; return (calls, elapsed)."""
    calls, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        action(calls)
        calls += 1
    return calls, time.perf_counter() - started


@contextlib.contextmanager
def _gunicorn(app: str, name: str, probe: str, env: dict | None = None) -> Iterator[str]:
    """Run a WSGI app on gunicorn with the services' settings; yield its base URL."""
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [gunicorn, "-c", "python:common.gunicorn_conf", app],
        cwd=ROOT,
        env={**os.environ, **(env or {}), "PORT": str(port), "SERVICE_NAME": name},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(f"{url}{probe}"), 30, 0.2, f"{name} to answer")
        yield url
    finally:
        server.terminate()
        server.wait(30)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def _measure(url: str, script: str, connections: int, seconds: float, env: dict | None = None) -> load.Run:
    load.wrk(url, script, connections=connections, seconds=3, env=env)  # warm up
    return load.wrk(url, script, connections=connections, seconds=seconds, env=env)


def web(seconds: float, connections: int) -> load.Run:
    """Ceiling A: wrk against a constant JSON endpoint on gunicorn with the services' settings."""
    with _gunicorn(CONSTANT_APP, "constant", "/constant") as url:
        return _measure(f"{url}/constant", "constant.lua", connections, seconds)


def bounds(seconds: float, connections: int, pairs_file: Path, scratch: Path) -> dict[str, load.Run]:
    """The most the platform's least work reaches on this machine, each beside ceiling A's app.

    - gateway_hop: lookups through a gateway whose tracking service is ceiling A's constant;
    - one_read: lookups answered by ceiling A's app reading the complaint by its number;
    - one_write: submissions answered by ceiling A's app storing each as one document.
    """
    pairs = {"BENCH_PAIRS": str(pairs_file)}
    results = {}
    with _gunicorn(CONSTANT_APP, "constant", "/constant") as url:
        results["one_read"] = _measure(url, "tracking.lua", connections, seconds, pairs)
        results["one_write"] = _measure(
            url, "submit.lua", connections, seconds, {"BENCH_TAG": f"bound{uuid.uuid4().hex[:6]}"}
        )
        metrics = scratch / "bound-gateway-metrics"
        metrics.mkdir(parents=True, exist_ok=True)
        gateway_env = {"TRACKING_URL": f"{url}/constant", "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
        with _gunicorn("gateway.app:create_app()", "gateway", "/health/live", gateway_env) as gateway:
            results["gateway_hop"] = _measure(gateway, "tracking.lua", connections, seconds, pairs)
    client = pymongo.MongoClient(os.environ["MONGO_URL"])
    client.drop_database(BOUNDS_DATABASE)
    client.close()
    return results


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
