"""Every port `make run` listens on comes from GATEWAY_PORT's block, and a taken one is named."""

import json
import socket

import pytest

from launcher import infra, ports
from launcher.settings import load, load_running, record_ports
from tests.support import free_port, free_port_block, port_block_free

EMBEDDED = ("MONGO_URL", "AMQP_URL", "SMTP_HOST", "GATEWAY_HOST")


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Set the environment `make run` reads, with no port and no external server given."""
    for name in (*EMBEDDED, "INSTANCES"):
        monkeypatch.delenv(name, raising=False)
    for name in ("gateway", "intake", "tracking", "notification", "feedback", "smtp", "store", "amqp"):
        monkeypatch.delenv(f"{name.upper()}_PORT", raising=False)
    monkeypatch.delenv("AMQP_DIST_PORT", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    # broker_program as another user than root: no chown, and the Erlang cookie under a home of the test's.
    monkeypatch.setattr(infra.os, "geteuid", lambda: 1000)
    monkeypatch.setenv("HOME", str(tmp_path))

    def settings(gateway: int, instances: int = 1):
        monkeypatch.setenv("GATEWAY_PORT", str(gateway))
        monkeypatch.setenv("INSTANCES", str(instances))
        return load()

    return settings


def every_port(settings) -> list[int]:
    """Return every port the platform listens on, the broker's distribution port as the node is told."""
    _command, broker_env, _user = infra.broker_program(settings)
    listened = [listener.port for listener in settings.listeners()]
    assert int(broker_env["RABBITMQ_DIST_PORT"]) in listened
    return listened


@pytest.mark.parametrize("instances", range(1, 10))
def test_every_port_lies_in_the_gateway_ports_block_and_none_is_shared(env, instances):
    gateway = 20000
    mine = every_port(env(gateway, instances))
    assert len(mine) == 6 * instances + 4  # web ports of each instance, SMTP sink, store, AMQP, distribution
    assert len(set(mine)) == len(mine)
    assert all(gateway <= port < gateway + 10 * instances for port in mine)
    assert mine.count(gateway + 8) == 1  # the distribution port: an offset no instance's web port takes
    # Another platform a hundred ports above, with as many instances as allowed, shares none of them.
    assert not set(mine) & set(every_port(env(gateway + 100, 9)))


def test_a_platform_20000_ports_above_another_shares_no_port_with_it(env):
    """The audit's case: the distribution port was the AMQP port + 20000, another platform's AMQP port."""
    assert not set(every_port(env(20000))) & set(every_port(env(40000)))


def test_the_distribution_port_is_moved_alone_and_recorded(env, monkeypatch):
    monkeypatch.setenv("AMQP_DIST_PORT", "31999")
    settings = env(21000)
    _command, broker_env, _user = infra.broker_program(settings)
    assert broker_env["RABBITMQ_DIST_PORT"] == "31999" and settings.ports["amqp"] == 21007
    record_ports(settings)
    assert json.loads((settings.run_dir / "ports.json").read_text())["amqp_dist"] == 31999
    assert load_running().ports["amqp_dist"] == 31999


def test_two_platforms_nodes_have_their_own_names(env):
    names = {infra.broker_program(env(gateway))[1]["RABBITMQ_NODENAME"] for gateway in (21000, 21100)}
    assert len(names) == 2


def listening_on(port: int) -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    sock.listen()
    return sock


def free_base() -> int:
    """Return a port whose next 10 and the same 100 above are free now."""
    for _ in range(100):
        base = free_port_block(10)
        if base + 110 < 65536 and port_block_free(base + 100, 10):
            return base
    raise RuntimeError("no free block")


@pytest.mark.parametrize(
    ("offset", "what", "variable"),
    [(7, "the broker", "AMQP_PORT"), (8, "the broker's Erlang distribution", "AMQP_DIST_PORT")],
)
def test_a_taken_port_is_named_with_what_it_is_for_and_the_variable_to_change(env, offset, what, variable):
    base = free_base()
    settings = env(base)
    with listening_on(base + offset):
        lines = ports.explain(settings, ports.problems(settings))
    assert lines == [
        f"port {base + offset} ({what}, {variable}) is taken by another program: "
        f"stop it, or choose another block with GATEWAY_PORT={base + 100} (its ports are free now)"
    ]
    assert not ports.problems(settings)


def test_a_second_instances_port_and_a_port_set_alone_are_named_too(env, monkeypatch):
    base = free_base()
    with listening_on(base + 10):
        found = ports.problems(env(base, 2))
    assert [(listener.what, listener.variable) for listener, _ in found] == [
        ("the entry point (nginx) of instance 2", "GATEWAY_PORT")
    ]
    elsewhere = free_port()
    monkeypatch.setenv("STORE_PORT", str(elsewhere))  # moving to another block would not move it
    settings = env(base)
    with listening_on(elsewhere):
        lines = ports.explain(settings, ports.problems(settings))
    assert lines == [
        f"port {elsewhere} (the document store, STORE_PORT) is taken by another program: "
        "stop it, or choose another STORE_PORT"
    ]


def test_the_servers_given_by_their_urls_are_not_checked(env, monkeypatch):
    base = free_base()
    monkeypatch.setenv("MONGO_URL", f"mongodb://127.0.0.1:{base + 6}/")
    monkeypatch.setenv("AMQP_URL", f"amqp://guest:guest@127.0.0.1:{base + 7}/%2F")
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    settings = env(base)
    held = [listening_on(base + offset) for offset in (5, 6, 7, 8)]
    try:
        assert ports.problems(settings) == []
    finally:
        for sock in held:
            sock.close()
