"""The platform and its infrastructure started beside a test or a benchmark, as a user starts them.

Free ports, polling with a deadline, `make run` in its own session and its supervisorctl, and a
private document store and broker in a folder of their own; tests/support.py and bench/ use them.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pika
import pymongo

from launcher import infra
from launcher.settings import ROOT, Settings


def free_port() -> int:
    """Return a TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_block_free(base: int, size: int) -> bool:
    """Return whether nobody listens on any of the `size` ports from `base` now."""
    sockets = []
    try:
        for offset in range(size):
            sock = socket.socket()
            sockets.append(sock)
            sock.bind(("127.0.0.1", base + offset))
        return True
    except OSError:
        return False
    finally:
        for sock in sockets:
            sock.close()


def free_port_block(size: int) -> int:
    """Return the first of `size` consecutive free ports, below the ports Linux gives outgoing connections.

    A platform's ports all lie in GATEWAY_PORT … GATEWAY_PORT + 10 × INSTANCES − 1 (launcher/settings.py):
    one instance needs 10, two need 20.
    """
    for _ in range(500):
        base = random.randrange(15000, 32768 - size)
        if port_block_free(base, size):
            return base
    raise RuntimeError("no block of free ports")


def wait_for(
    check: Callable[[], object], timeout: float = 10.0, interval: float = 0.05, message: str = "condition"
) -> object:
    """Poll until check() returns something truthy, or fail after the deadline."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # noqa: BLE001 - keep polling until the deadline
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}" + (f": {last_error!r}" if last_error else ""))


def launch_make_run(
    data_dir: Path, base_port: int, settings: dict[str, str]
) -> tuple[subprocess.Popen, Path]:
    """Start `make run` as a user does, on this DATA_DIR and block of ports, in its own session.

    The caller's MONGO_URL, AMQP_URL and the like are left out: the platform runs its own store
    and broker. Return the process and its log, where it says "ready in" once ready.
    """
    own = ("MONGO_URL", "AMQP_URL", "MONGO_DB", "EVENTS_EXCHANGE", "QUEUE_PREFIX", "SMTP_HOST")
    env = {k: v for k, v in os.environ.items() if k not in own}
    env.update({"GATEWAY_PORT": str(base_port), "DATA_DIR": str(data_dir), **settings})
    log = data_dir / "make-run.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            ["make", "run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, log


def stop_make_run(process: subprocess.Popen, data_dir: Path) -> None:
    """Stop `make run` as Ctrl-C would, its whole process group, and wait until every process is gone."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(120)
    pid_file = data_dir / "run" / "supervisord.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text())
        wait_for(lambda: not alive(pid), 90, 0.5, "every process to stop")


def alive(pid: int) -> bool:
    """Return whether a process of this pid is running."""
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def supervisorctl(data_dir: Path, *args: str) -> str:
    """Run supervisorctl against the process group `make run` started on this DATA_DIR; return its output."""
    conf = data_dir / "run" / "supervisord.conf"
    return subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "supervisorctl"),
            "-c",
            str(conf),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout


def shared_tmp_dir(prefix: str) -> Path:
    """Return a new folder that the rabbitmq user can reach too."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    folder.chmod(0o755)
    return folder


class Infrastructure:
    """A private FerretDB (or mongod) and RabbitMQ node, unless MONGO_URL / AMQP_URL are given."""

    def __init__(self) -> None:
        self.folder = shared_tmp_dir("complaints-it-")
        self.processes: dict[str, subprocess.Popen] = {}
        amqp = free_port_block(2)
        self.settings = Settings(
            data_dir=self.folder,
            gateway_port=0,
            ports={"store": free_port(), "amqp": amqp, "amqp_dist": amqp + 1},
        )
        self.mongo_url = os.environ.get("MONGO_URL")
        self.amqp_url = os.environ.get("AMQP_URL")
        self.broker_command = None

    def start(self, *, broker: bool = True) -> Infrastructure:
        if not self.mongo_url:
            command = infra.store_command(self.settings, print)
            self.processes["store"] = self._spawn("store", command)
            self.mongo_url = self.settings.store_url
        if broker and not self.amqp_url:
            infra.ensure_rabbitmq(print)
            self.broker_command = infra.broker_program(self.settings)
            self.start_broker()
            self.amqp_url = self.settings.broker_url
        wait_for(self._store_answers, 30, 0.2, "the document store")
        if broker:
            wait_for(self.broker_answers, 60, 0.3, "the broker")
        return self

    def start_broker(self) -> None:
        command, env, user = self.broker_command
        self.processes["broker"] = self._spawn("broker", command, env, user)

    def stop_broker(self) -> None:
        process = self.processes.pop("broker")
        process.terminate()
        process.wait(60)

    def _spawn(self, name, command, env=None, user=None) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(
            command,
            env={**os.environ, **(env or {})},
            user=user,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.folder,
        )

    def _store_answers(self) -> bool:
        with pymongo.MongoClient(self.mongo_url, serverSelectionTimeoutMS=500) as client:
            return client.admin.command("ping")["ok"] == 1

    def broker_answers(self) -> bool:
        url = self.amqp_url or self.settings.broker_url
        connection = pika.BlockingConnection(pika.URLParameters(url))
        connection.close()
        return True

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)
