"""Helpers for tests: free ports, polling with a deadline, and the real broker and store."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pika
import pymongo

from launcher import infra
from launcher.settings import Settings


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
            cwd=Path(__file__).resolve().parents[1],
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
            str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "supervisorctl"),
            "-c",
            str(conf),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout


def complaint_body(**changes) -> dict:
    """Return a complaint as a citizen files it through the API, with these fields changed."""
    return {
        "kind": "complaint",
        "category": "roads",
        "district": "anfa",
        "subject": "Nid de poule",
        "description": "Un trou profond devant le numéro 12.",
        "citizen": {"name": "Amina", "email": "amina@example.ma", "language": "fr"},
        "consent": True,
        **changes,
    }


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


def gps_jpeg(lat: float | None = None, lon: float | None = None, *, size: int = 32) -> bytes:
    """Return a JPEG photo whose EXIF carries this GPS position, as a phone writes it (none: no GPS)."""
    import io

    from PIL import Image
    from PIL.TiffImagePlugin import IFDRational

    def dms(value: float) -> tuple:
        value = abs(value)
        degrees, minutes = int(value), int(value * 60) % 60
        seconds = round((value - degrees - minutes / 60) * 3600 * 1000)
        return (IFDRational(degrees), IFDRational(minutes), IFDRational(seconds, 1000))

    exif = Image.Exif()
    exif[0x0110] = "Phone"  # the camera's model, as phones write it
    if lat is not None and lon is not None:
        exif[0x8825] = {
            1: "S" if lat < 0 else "N",
            2: dms(lat),
            3: "W" if lon < 0 else "E",
            4: dms(lon),
        }
    out = io.BytesIO()
    Image.new("RGB", (size, size), (200, 120, 40)).save(out, "JPEG", exif=exif)
    return out.getvalue()


class EntryPoint:
    """nginx with the configuration `make run` writes (gateway/nginx.py), in front of given instances.

    upstreams maps intake, tracking, feedback and gateway to their instances' "host:port".
    """

    def __init__(self, upstreams: dict[str, list[str]], folder: Path | None = None):
        from gateway import nginx

        infra.ensure_nginx(print)  # installed from Debian's packages when missing, as `make run` does
        self.folder = Path(folder or tempfile.mkdtemp(prefix="complaints-nginx-"))
        (self.folder / "temp").mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        entry = nginx.Entry(
            listen=f"127.0.0.1:{self.port}",
            upstreams=upstreams,
            home=self.folder,
            temp=self.folder / "temp",
            pid=self.folder / "nginx.pid",
            access_log=str(self.folder / "access.log"),
            workers="1",
            connections=512,
            user="root" if os.geteuid() == 0 else None,
        )
        self.conf = nginx.write(entry, self.folder)
        self.log = self.folder / "error.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> EntryPoint:
        self.process = subprocess.Popen(
            [str(infra.NGINX), "-e", str(self.log), "-p", str(self.folder), "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )

        def listening() -> bool:
            assert self.process.poll() is None, self.log.read_text() if self.log.exists() else "nginx exited"
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", self.port)) == 0

        wait_for(listening, 10, 0.02, "nginx to listen")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


def write_generated(module: str, folder: Path, environment: dict[str, str]) -> None:
    """Run a writer of committed files (`python -m gateway.nginx DIR`) into folder, with these settings."""
    written = subprocess.run(
        [sys.executable, "-m", module, str(folder)],
        env={"PATH": os.environ["PATH"], "HOME": str(folder), "LANG": "C.UTF-8", **environment},
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
    )
    assert written.returncode == 0, written.stderr
