"""The whole platform, started with `make run` as a user starts it, on ports of its own."""

from __future__ import annotations

import re
import subprocess
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import requests

from tests.contract import Capture, HttpContract, check_published
from tests.e2e.browser import PHONE, Person, chromium
from tests.e2e.tiles import TileServer
from tests.support import (
    complaint_body,
    free_port_block,
    launch_make_run,
    shared_tmp_dir,
    stop_make_run,
    supervisorctl,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "tracking", "notification", "feedback")


class Platform:
    """A running platform: its URL, its folders, and control of its processes."""

    def __init__(self, base_port: int, data_dir: Path, process: subprocess.Popen, log: Path):
        self.base_port = base_port
        self.url = f"http://127.0.0.1:{base_port}"
        self.data_dir = data_dir
        self.mail_dir = data_dir / "mail"
        self.process = process
        self.log = log
        self.http = requests.Session()
        # Every answer the tests get is checked against docs/openapi.yaml.
        self.http_contract = HttpContract()
        self.http.hooks["response"].append(lambda response, *_a, **_k: self.http_contract.check(response))
        self.amqp_url = f"amqp://guest:guest@127.0.0.1:{base_port + 7}/%2F"

    def listen(self, *keys: str):
        """Bind a fresh queue to the platform's exchange; return a function that drains its events."""
        import pika

        from common import envelope

        connection = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
        channel = connection.channel()
        queue = channel.queue_declare("", exclusive=True).method.queue
        for key in keys:
            channel.queue_bind(queue, "complaints.events", routing_key=key)

        def drain() -> list[dict]:
            events = []
            method, _props, body = channel.basic_get(queue, auto_ack=True)
            while method is not None:
                events.append(envelope.decode(body))
                method, _props, body = channel.basic_get(queue, auto_ack=True)
            return events

        drain.close = connection.close
        return drain

    def service_url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.base_port + 1 + SERVICES.index(service)}"

    def ctl(self, *args: str) -> str:
        """Run supervisorctl against this platform's process group."""
        return supervisorctl(self.data_dir, *args)

    def healthy(self) -> bool:
        try:
            return self.http.get(f"{self.url}/health", timeout=3).status_code == 200
        except requests.RequestException:
            return False

    def emails(self) -> list:
        """Return every message the SMTP sink has filed."""
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(path.read_bytes()) for path in sorted(self.mail_dir.glob("*.eml"))]

    def emails_for(self, number: str) -> list:
        return [m for m in self.emails() if m["X-Complaint-Number"] == number]

    def submit(self, **changes) -> requests.Response:
        return self.http.post(f"{self.url}/api/v1/complaints", json=complaint_body(**changes), timeout=10)

    def track(self, number: str, email: str) -> requests.Response:
        return self.http.post(
            f"{self.url}/api/v1/tracking", json={"number": number, "email": email}, timeout=10
        )


@pytest.fixture(scope="session")
def tiles():
    """The maps' tiles, from a server of the tests' own (nothing is loaded from outside)."""
    with TileServer() as server:
        yield server


@pytest.fixture(scope="session")
def platform(tiles):
    """Start `make run` on a fresh DATA_DIR and free ports; stop it with SIGTERM afterwards."""
    data_dir = shared_tmp_dir("complaints-e2e-")
    base = free_port_block(10)  # GATEWAY_PORT … GATEWAY_PORT + 9 (launcher/settings.py)
    started = time.monotonic()
    process, log = launch_make_run(
        data_dir,
        base,
        {
            "ADMIN_PASSWORD": "e2e-admin-pass",
            # Every test reaches the platform from 127.0.0.1, and a complaint is trackable only once
            # its event is handled (tests retry): the per-client limits would throttle the suite
            # itself. They are proven in tests/integration/test_rate_limits.py.
            "RATE_SUBMISSIONS": "100000/3600",
            "RATE_TRACKING_FAILURES": "100000/600",
            "RATE_NEARBY": "100000/600",  # each filing with a point or an address asks the listing
            "RATE_REPORTS": "100000/600",  # the public reports' pages and the fuzzing of their API
            "MAP_TILES_URL": tiles.url,
            "MAP_ATTRIBUTION": "Tuiles de test",
        },
    )
    running = Platform(base, data_dir, process, log)
    published = None
    try:
        wait_for(lambda: "ready in" in log.read_text(), 300, 0.5, "make run to report ready")
        running.cold_start = time.monotonic() - started
        # Every event published while the tests run is checked against docs/asyncapi.yaml at the end.
        capture = Capture(running.amqp_url, "complaints.events").start()
        yield running
        published = capture.finish()
    finally:
        stop_make_run(process, data_dir)
    assert not running.healthy(), "the platform still answers after SIGTERM"
    assert "stopped" in log.read_text()
    assert_no_personal_data_in_logs(data_dir / "log")
    if published is not None:
        check_published(published)
    problems, checked = running.http_contract.problems, running.http_contract.checked
    assert not problems, f"{len(problems)} of {checked} answers differ from openapi.yaml: {problems[:15]}"


# What the tests wrote as citizens' and staff's personal data: none of it may reach a log.
PERSONAL = re.compile(
    r"[\w.+-]+@(?:example|city|else|b|pytest)\.ma|Amina|Bennani|Omar Priv|Youssef|Alaoui|\+212\s?6"
)


def assert_no_personal_data_in_logs(folder: Path) -> None:
    """Read every process's log of the whole run; fail on a name, an address or a phone number."""
    found = {}
    for path in sorted(folder.glob("*.log")):
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if PERSONAL.search(line):
                found.setdefault(path.name, []).append(f"{number}: {line[:200]}")
    assert not found, f"personal data in the logs: {found}"


@pytest.fixture(scope="module")  # Playwright's loop must be gone before other tests use asyncio
def browser():
    """One headless chromium for the test module (tests/e2e/browser.py)."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def people(browser, platform):
    """Return a maker of people, each with their own cookies, in a language, on a phone or a desk."""
    made: list[Person] = []

    def make(lang: str, viewport: dict = PHONE, script: bool = True) -> Person:
        made.append(Person(browser, platform, lang, viewport, script))
        return made[-1]

    yield make
    for person in made:
        person.close()
