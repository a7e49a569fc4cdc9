"""The limits of this machine, measured beside the platform in the same run.

A: the bare web stack; B: the document store's single-client writes and indexed reads;
C: the broker's publishes with confirms. Each is the most one of the platform's hops could do.
The bounds add the platform's least work to ceiling A's app: the entry point's hop in front of it
(nginx, configured by gateway/nginx.py as `make run` configures it), one store read behind it, one
store write behind it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
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
from launcher.harness import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
CONSTANT_APP = "bench.constant:create_app()"
# The same app answering lookups without reading: the tracking service behind the entry point's hop.
CONSTANT_LOOKUPS = "bench.constant:create_app(reads=False)"
# As launcher/supervisor.py starts each instance's entry point.
ENTRY_WORKERS = "2"


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


@contextlib.contextmanager
def _entry_point(upstream: str, folder: Path) -> Iterator[str]:
    """Run nginx with the generated configuration, every upstream at one address; yield its base URL."""
    # Imported here: gateway.nginx reads the settings as it loads, which must wait for the
    # platform's MONGO_URL (Platform.start) or this process would keep the default store's.
    from gateway import nginx
    from launcher.infra import NGINX

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "temp").mkdir(exist_ok=True)
    port = free_port()
    entry = nginx.Entry(
        listen=f"127.0.0.1:{port}",
        upstreams={name: [upstream] for name in nginx.UPSTREAMS},
        home=folder,
        temp=folder / "temp",
        pid=folder / "nginx.pid",
        access_log=str(folder / "access.log"),  # a file, written in blocks, as `make run` writes it
        workers=ENTRY_WORKERS,
        connections=1024,
        user=pwd.getpwuid(folder.stat().st_uid).pw_name if os.geteuid() == 0 else None,
    )
    conf = nginx.write(entry, folder)
    errors = folder / "nginx.err"
    with open(errors, "wb") as err:
        server = subprocess.Popen(
            [str(NGINX), "-e", "stderr", "-p", str(folder), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        # /constant is no API path: nginx sends it to the gateway's upstream, the constant app here.
        try:
            wait_for(lambda: server.poll() is None and _answers(f"{url}/constant"), 30, 0.2, "nginx")
        except Exception as exc:
            raise RuntimeError(f"nginx did not answer: {errors.read_text().strip()}") from exc
        yield url
    finally:
        server.terminate()  # nginx's fast shutdown: the master stops its workers, then itself
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

    - entry_hop: lookups through the entry point (nginx, the generated configuration) whose
      tracking service is ceiling A's app answering them constantly;
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
    with _gunicorn(CONSTANT_LOOKUPS, "constant", "/constant") as url:
        with _entry_point(url.removeprefix("http://"), scratch / "bound-entry-point") as entry:
            results["entry_hop"] = _measure(entry, "tracking.lua", connections, seconds, pairs)
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
