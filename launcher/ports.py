"""Before anything starts: every port `make run` will listen on must be free, else say which is not."""

from __future__ import annotations

import dataclasses
import errno
import os
import socket

from launcher.settings import Listener, Settings, port_map

# Another block is suggested this far above: past every port of a platform of up to nine instances.
BLOCK_STEP = 100
TAKEN = "taken by another program"


def problem(host: str, port: int) -> str | None:
    """Return why a server could not listen on host:port now, or None when it could."""
    if not 0 < port < 65536:
        return "is not a port (1 to 65535)"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        return f"cannot be listened on at {host}: {exc.strerror}"
    with socket.socket(family, kind, proto) as sock:
        # As the servers do: a port whose last connections linger in TIME_WAIT can be listened on.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
            sock.listen()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return TAKEN
            return f"cannot be listened on at {host}: {exc.strerror}"
    return None


def problems(settings: Settings) -> list[tuple[Listener, str]]:
    """Return every port of this run that cannot be listened on, with why: on 127.0.0.1 and its own host."""
    found = []
    for listener in settings.listeners():
        for host in dict.fromkeys(("127.0.0.1", listener.host)):
            reason = problem(host, listener.port)
            if reason:
                found.append((listener, reason))
                break
    return found


def free_block(settings: Settings, tries: int = 50) -> int | None:
    """Return a GATEWAY_PORT above this one whose every port is free now, if one is found."""
    for step in range(1, tries + 1):
        gateway = settings.gateway_port + BLOCK_STEP * step
        if gateway + BLOCK_STEP > 65536:
            return None
        moved = dataclasses.replace(settings, gateway_port=gateway, ports=port_map(gateway))
        if not problems(moved):
            return gateway
    return None


def explain(settings: Settings, found: list[tuple[Listener, str]]) -> list[str]:
    """Return what to tell the person who ran `make run`: each port, what it is for, what to change."""
    lines = [f"port {x.port} ({x.what}, {x.variable}) {reason}" for x, reason in found if reason != TAKEN]
    taken = [x for x, reason in found if reason == TAKEN]
    if not taken:
        return lines
    listed = ", ".join(f"{x.port} ({x.what}, {x.variable})" for x in taken)
    one = len(taken) == 1
    head = f"port {listed} is {TAKEN}: stop it" if one else f"ports {listed} are {TAKEN}: stop them"
    # A port set by its own variable does not move with GATEWAY_PORT: that variable is the one to change.
    fixed = sorted({x.variable for x in taken if x.variable != "GATEWAY_PORT" and os.environ.get(x.variable)})
    block = None if fixed else free_block(settings)
    if fixed:
        advice = f"choose another {' and another '.join(fixed)}"
    elif block:
        advice = f"choose another block with GATEWAY_PORT={block} (its ports are free now)"
    else:
        advice = f"choose another block with GATEWAY_PORT ({10 * settings.instances} ports from it)"
    return [*lines, f"{head}, or {advice}"]
