"""A service's instances, as its callers reach them: in turn, passing over those that are down.

``<SERVICE>_URL`` names one base URL (behind a load balancer, as in Kubernetes) or several,
separated by commas (instances side by side, as `make run` starts them with INSTANCES=2). Each
call starts at the next instance in turn; an instance that refused a connection is tried last
for DOWN_SECONDS. Only a request that never reached an instance may go to another one: a refused
or timed-out connection. One that was sent and then lost its answer (the instance stopped with it,
or closed a kept-alive connection as the request went out) goes to another instance only when it
is repeatable: a read, or a submission, which intake records once however often it is sent
with the same request id. Anything else may have been acted on, and is not sent again.
"""

from __future__ import annotations

import http.client
import itertools
import socket
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import urllib3

from common import config

T = TypeVar("T")
DOWN_SECONDS = 5.0


class Instances:
    """The base URLs of one service's instances, and which of them refused a connection lately."""

    def __init__(self, urls: list[str]):
        self.urls = urls
        self._turn = itertools.count()
        self._down: dict[str, float] = {}
        self._lock = threading.Lock()

    def order(self) -> list[str]:
        """Return the instances to try for one call: the next in turn first, those down last."""
        start = next(self._turn) % len(self.urls)
        turn = self.urls[start:] + self.urls[:start]
        now = time.monotonic()
        with self._lock:
            down = {url for url, until in self._down.items() if until > now}
        return [url for url in turn if url not in down] + [url for url in turn if url in down]

    def failed(self, url: str) -> None:
        """Note that an instance refused a connection: others go first for a while."""
        with self._lock:
            self._down[url] = time.monotonic() + DOWN_SECONDS


_instances: dict[str, Instances] = {}
_lock = threading.Lock()


def instances(service: str) -> Instances:
    """Return this process's view of a service's instances, from ``<SERVICE>_URL``."""
    known = _instances.get(service)  # every call of the gateway asks: no lock once known
    if known is not None:
        return known
    with _lock:
        if service not in _instances:
            _instances[service] = Instances(list(getattr(config.settings(), f"{service}_url")))
        return _instances[service]


def _caused_by(exc: BaseException | None, kinds: tuple[type[BaseException], ...], depth: int = 0) -> bool:
    """Return whether exc, or what it wraps (requests and urllib3 wrap the socket's error), is a kind."""
    while exc is not None and depth < 10:
        if isinstance(exc, kinds):
            return True
        for inner in getattr(exc, "args", ()):
            if isinstance(inner, BaseException) and inner is not exc and _caused_by(inner, kinds, depth + 1):
                return True
        exc = exc.__cause__ or exc.__context__ or getattr(exc, "reason", None)
        depth += 1
    return False


NEVER_REACHED = (
    urllib3.exceptions.NewConnectionError,
    urllib3.exceptions.ConnectTimeoutError,
    ConnectionRefusedError,
    socket.gaierror,
)
LOST_ANSWER = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def never_reached(exc: BaseException) -> bool:
    """Return whether a failed call never reached the instance (so another may take it)."""
    return _caused_by(exc, NEVER_REACHED)


def lost_answer(exc: BaseException) -> bool:
    """Return whether a call's connection closed or reset before any answer came."""
    return _caused_by(exc, LOST_ANSWER)


def call(service: str, attempt: Callable[[str], T], *, repeatable: bool = False) -> T:
    """Return attempt(base URL) from the first of the service's instances it reaches.

    An instance it could not reach is noted down and the next one tried; so is one that lost
    the answer to a `repeatable` call. Any other failure, or the last instance's, is raised.
    """
    group = instances(service)
    order = group.order()
    for base in order[:-1]:
        try:
            return attempt(base)
        except Exception as exc:
            if never_reached(exc):
                group.failed(base)
            elif not (repeatable and lost_answer(exc)):
                raise
    try:
        return attempt(order[-1])
    except Exception as exc:
        if never_reached(exc):
            group.failed(order[-1])
        raise
