"""Helpers for tests: free ports, polling with a deadline, the real broker and store, letting time pass."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from launcher import infra
from launcher.harness import (
    Infrastructure,
    alive,
    free_port,
    free_port_block,
    launch_make_run,
    port_block_free,
    shared_tmp_dir,
    stop_make_run,
    supervisorctl,
    wait_for,
)

# The platform's starting and polling live in launcher/harness.py, which bench/ uses too.
__all__ = [
    "EntryPoint",
    "Infrastructure",
    "alive",
    "complaint_body",
    "free_port",
    "free_port_block",
    "gps_jpeg",
    "launch_make_run",
    "let_time_pass",
    "port_block_free",
    "shared_tmp_dir",
    "stop_make_run",
    "supervisorctl",
    "wait_for",
    "wait_while_progressing",
    "write_generated",
]


def let_time_pass(seconds: float, why: str) -> None:
    """Let time pass when its passing is what the test checks (`why` says how); never to await an effect."""
    assert why, "say why time must pass"
    time.sleep(seconds)


def wait_while_progressing(
    done: Callable[[], object], progress: Callable[[], object], quiet: float, interval: float = 1.0
) -> bool:
    """Poll until done() is truthy; give up only after `quiet` seconds in which progress() did not change.

    For a backlog that drains at its own pace: no fixed deadline, only one for standing still.
    """
    last, quiet_since = progress(), time.monotonic()
    while not done():
        if time.monotonic() - quiet_since >= quiet:
            return False
        time.sleep(interval)
        now = progress()
        if now != last:
            last, quiet_since = now, time.monotonic()
    return True


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
