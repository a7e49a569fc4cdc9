"""A wrong setting stops a process as it starts, as a user starts it, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import free_port, free_port_block

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COMMANDS = {
    "web": [str(BIN / "gunicorn"), "-c", "python:common.gunicorn_conf", "services.intake.app:create_app()"],
    "worker": [sys.executable, "-m", "services.intake.worker"],
    "app factory": [sys.executable, "-c", "from services.intake.app import create_app; create_app()"],
    # `make run`: it says so before it starts anything (no store, no broker, no supervisord).
    "make run": [sys.executable, "-m", "launcher"],
}


@pytest.mark.parametrize("process", sorted(COMMANDS))
def test_a_wrong_rate_stops_the_process_at_once_naming_it(process, tmp_path):
    # Nothing is listening on the store's or the broker's port: the process must stop before it needs them.
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "GATEWAY_PORT": str(free_port_block(10)),
        "PORT": str(free_port()),
        "MONGO_URL": f"mongodb://127.0.0.1:{free_port()}/",
        "AMQP_URL": f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F",
        "RATE_SUBMISSIONS": "100 per hour",
    }
    started = time.monotonic()
    try:
        ended = subprocess.run(
            COMMANDS[process], cwd=ROOT, env=env, capture_output=True, text=True, timeout=20
        )
    except subprocess.TimeoutExpired as still_running:
        pytest.fail(f"{process} kept running with a wrong setting: {still_running.stderr}")
    assert ended.returncode != 0
    said = ended.stderr + ended.stdout
    assert "RATE_SUBMISSIONS='100 per hour': write COUNT/SECONDS, for example 100/3600" in said
    assert time.monotonic() - started < 10
    assert not (tmp_path / "run").exists()  # make run started nothing
