"""Two instances of every service, worker, gateway app and entry point (`INSTANCES=2 make run`), one
of each killed under load: no complaint a citizen was told is accepted is lost, none is recorded,
counted or acknowledged twice, and the periodic jobs move to the surviving instances.
"""

from __future__ import annotations

import os
import signal
import threading
from email.parser import BytesHeaderParser

import pika
import pymongo
import pytest
import requests

from bench import processes
from common import leases, upstreams
from services.intake import store as intake_store
from services.tracking import store as tracking_store
from tests.support import (
    complaint_body,
    free_port_block,
    launch_make_run,
    let_time_pass,
    shared_tmp_dir,
    supervisorctl,
    wait_for,
)

SERVICES = ("intake", "tracking", "notification", "feedback")
JOBS = {"tracking": "tracking:periodic_jobs", "feedback": "feedback:finish_unfinished"}


class Scaled:
    """`make run` with two instances of everything: its gateways, its store and its processes."""

    def __init__(self) -> None:
        self.data_dir = shared_tmp_dir("complaints-scale-")
        self.base = free_port_block(20)  # the second instance listens 10 ports above the first
        self.gateways = [f"http://127.0.0.1:{self.base}", f"http://127.0.0.1:{self.base + 10}"]
        self.db = pymongo.MongoClient(f"mongodb://127.0.0.1:{self.base + 6}/", tz_aware=True)["complaints"]
        self.amqp_url = f"amqp://guest:guest@127.0.0.1:{self.base + 7}/%2F"
        self.process, self.log = launch_make_run(
            self.data_dir,
            self.base,
            {
                "INSTANCES": "2",
                "RATE_SUBMISSIONS": "100000/3600",
                "RATE_TRACKING_FAILURES": "100000/600",
                # Short periods, so that a lease moves within the test (three missed runs, 10 s).
                "JOBS_INTERVAL_SECONDS": "2",
                "FEEDBACK_SETTLE_INTERVAL_SECONDS": "2",
            },
        )
        wait_for(lambda: "ready in" in self.log.read_text(), 300, 0.5, "INSTANCES=2 make run to be ready")

    def ctl(self, *args: str) -> str:
        return supervisorctl(self.data_dir, *args)

    def pids(self) -> dict[str, int]:
        return processes.programs(self.ctl("status"))

    def kill(self, program: str) -> None:
        """Kill an instance at once, all its processes (SIGKILL to its group), and keep it down."""
        os.killpg(self.pids()[program], signal.SIGKILL)
        self.ctl("stop", program)  # supervisord would start it again

    def acknowledgements(self) -> dict[str, int]:
        """Return how many emails each address received."""
        parser, counts = BytesHeaderParser(), {}
        for path in (self.data_dir / "mail").glob("*.eml"):
            to = parser.parsebytes(path.read_bytes()).get("To", "").strip()
            counts[to] = counts.get(to, 0) + 1
        return counts

    def queue_depths(self) -> dict[str, int]:
        connection = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
        try:
            channel = connection.channel()
            names = [f"complaints.{s}{tail}" for s in SERVICES for tail in ("", ".dead")]
            return {name: channel.queue_declare(name, passive=True).method.message_count for name in names}
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(180)


@pytest.fixture(scope="module")
def scaled():
    platform = Scaled()
    yield platform
    platform.stop()


class Citizens:
    """Citizens submitting through either gateway, as behind a load balancer that skips a dead one."""

    def __init__(self, gateways: list[str]):
        self.gateways = gateways
        self.accepted: dict[str, str] = {}  # email -> number: the citizen was told it is accepted
        # Sent, and the answer lost or a 5xx (an instance died with it): it may or may not be recorded.
        self.unknown: set[str] = set()
        self.refused: dict[str, int] = {}  # answered 4xx: there should be none
        self.stop = threading.Event()
        self.lock = threading.Lock()

    def submit(self, email: str, turn: int) -> None:
        for attempt in range(len(self.gateways)):
            gateway = self.gateways[(turn + attempt) % len(self.gateways)]
            body = complaint_body(citizen={"name": "Amina", "email": email, "language": "fr"})
            try:
                answer = requests.post(f"{gateway}/api/v1/complaints", json=body, timeout=30)
            except requests.RequestException as exc:
                if upstreams.never_reached(exc):
                    continue  # this gateway is down: the request never left, the other one takes it
                with self.lock:
                    self.unknown.add(email)
                return
            with self.lock:
                if answer.status_code == 201:
                    self.accepted[email] = answer.json()["number"]
                elif answer.status_code >= 500:
                    self.unknown.add(email)
                else:
                    self.refused[email] = answer.status_code
            return

    def run(self, client: int) -> None:
        sent = 0
        while not self.stop.wait(0.1):  # about forty complaints a second from four citizens' clients
            sent += 1
            self.submit(f"scale-{client}-{sent}@example.org", client + sent)


def test_killing_one_instance_of_everything_under_load_loses_and_repeats_nothing(scaled):
    programs = scaled.pids()
    expected = {f"{s}-{kind}{n}" for s in SERVICES for kind in ("web", "worker") for n in ("", "-2")}
    assert expected | {"gateway", "gateway-2", "nginx", "nginx-2"} <= set(programs)
    wait_for(lambda: all(leases.current_holder(scaled.db, job) for job in JOBS.values()), 60, 0.5, "leases")
    holders = {service: leases.current_holder(scaled.db, job) for service, job in JOBS.items()}

    citizens = Citizens(scaled.gateways)
    threads = [threading.Thread(target=citizens.run, args=(client,)) for client in range(4)]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(citizens.accepted) > 10, 60, 0.2, "the load to get going")
    before_kill = len(citizens.accepted)
    # One instance of each: the first entry point, gateway app and web processes; for the workers,
    # the instance running the periodic jobs where there are some, else the first.
    killed = ["nginx", "gateway"] + [f"{s}-web" for s in SERVICES]
    for service in SERVICES:
        worker = f"{service}-worker"
        if service in holders and int(holders[service].split(":")[1]) == programs[f"{service}-worker-2"]:
            worker = f"{service}-worker-2"
        killed.append(worker)
    for program in killed:
        scaled.kill(program)
    wait_for(lambda: len(citizens.accepted) > before_kill + 10, 60, 0.2, "the load to go on after the kill")
    citizens.stop.set()
    for thread in threads:
        thread.join(60)
    status = scaled.ctl("status")
    assert all(
        f"{program} " in status and "STOPPED" in status.split(f"{program} ", 1)[1][:40] for program in killed
    )
    assert before_kill > 10 and len(citizens.accepted) > before_kill + 10, "the load went on after the kill"

    # Every accepted complaint reaches every service once, and its citizen gets one acknowledgement.
    accepted = citizens.accepted
    wait_for(
        lambda: set(accepted) <= set(scaled.acknowledgements()),
        300,
        1,
        "every acknowledgement",
    )
    wait_for(lambda: not any(scaled.queue_depths().values()), 300, 1, "every queue to be empty")
    let_time_pass(3, "anything sent twice would have arrived by now")
    acks = scaled.acknowledgements()
    intake = scaled.db[intake_store.COMPLAINTS]
    tracking = scaled.db[tracking_store.COMPLAINTS]
    numbers: dict[str, list[str]] = {}  # email -> the numbers intake recorded for it
    for complaint in intake.find({}, {"citizen.email": 1}):
        numbers.setdefault(complaint["citizen"]["email"], []).append(complaint["_id"])
    tracked = {complaint["_id"] for complaint in tracking.find({}, {"_id": 1})}
    for email, number in accepted.items():
        assert numbers.get(email) == [number] and number in tracked
        assert acks[email] == 1, email
    for email in citizens.unknown:  # the citizen was told nothing: at most once, and acknowledged if so
        recorded = len(numbers.get(email, []))
        assert recorded <= 1 and acks.get(email, 0) == recorded
    assert citizens.refused == {}
    assert len(citizens.unknown) < len(accepted) / 10, "only the requests in flight at the kill"
    # An email the killed notification worker had handed to the mail server, but not yet recorded,
    # is sent again by the other worker with the same Message-ID, which mail servers (and the sink)
    # drop: at most the events that worker held (its prefetch, twice its four lanes).
    duplicates = scaled.data_dir / "mail" / ".duplicates"
    assert (len(duplicates.read_text().splitlines()) if duplicates.exists() else 0) <= 8
    total = sum(len(recorded) for recorded in numbers.values())
    assert len(tracked) == total
    stats = lambda: requests.get(f"{scaled.gateways[1]}/api/v1/stats", timeout=10).json()  # noqa: E731
    wait_for(lambda: stats()["received"] == total, 60, 1, "feedback to count each complaint once")

    # The periodic jobs moved to the instances left, within three missed runs.
    survivors = scaled.pids()
    for service, job in JOBS.items():
        alive = {
            survivors[name] for name in (f"{service}-worker", f"{service}-worker-2") if name in survivors
        }
        wait_for(
            lambda job=job, alive=alive: (
                (holder := leases.current_holder(scaled.db, job)) and int(holder.split(":")[1]) in alive
            ),
            30,
            0.5,
            f"{job} to run in the surviving instance",
        )
