"""Two platforms on one machine, each on its own block of ports; a port already taken is named at once."""

from __future__ import annotations

import os
import socket
import time

import pytest
import requests

from tests.support import (
    free_port_block,
    launch_make_run,
    port_block_free,
    shared_tmp_dir,
    stop_make_run,
    wait_for,
)

BLOCK = 10  # GATEWAY_PORT … GATEWAY_PORT + 9 with one instance (launcher/settings.py)


def health(base: int) -> int:
    return requests.get(f"http://127.0.0.1:{base}/health", timeout=5).status_code


def test_two_platforms_20000_ports_apart_both_run():
    """The second's AMQP port is the first's + 20000, where the first's node took its distribution port."""
    first = free_port_block(BLOCK)
    while not port_block_free(first + 20000, BLOCK):
        first = free_port_block(BLOCK)
    platforms = []
    try:
        for base in (first, first + 20000):
            data_dir = shared_tmp_dir("complaints-ports-")
            platforms.append((base, data_dir, *launch_make_run(data_dir, base, {})))
        for base, _data_dir, process, log in platforms:
            wait_for(
                lambda process=process, log=log: process.poll() is None and "ready in" in log.read_text(),
                240,
                0.5,
                f"make run on GATEWAY_PORT={base} to report ready",
            )
        assert [health(base) for base, *_ in platforms] == [200, 200]
    finally:
        for _base, data_dir, process, _log in platforms:
            stop_make_run(process, data_dir)


@pytest.mark.parametrize(
    ("offset", "what", "variable"),
    [(7, "the broker", "AMQP_PORT"), (8, "the broker's Erlang distribution", "AMQP_DIST_PORT")],
)
def test_a_taken_port_stops_make_run_at_once_naming_it(offset, what, variable):
    base = free_port_block(BLOCK)
    data_dir = shared_tmp_dir("complaints-ports-")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", base + offset))
        taken.listen()
        started = time.monotonic()
        process, log = launch_make_run(data_dir, base, {})
        try:
            code = process.wait(30)
        finally:
            stop_make_run(process, data_dir)
    said = log.read_text()
    assert code != 0, said
    assert time.monotonic() - started < 30
    assert f"port {base + offset} ({what}, {variable}) is taken by another program" in said
    assert "choose another block with GATEWAY_PORT=" in said
    # Nothing was started: no process group, and none of the block's other ports is listened on.
    assert not (data_dir / "run" / "supervisord.pid").exists()
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)
    assert port_block_free(base, offset)
