"""Pooled HTTP connections from the gateway app to the services: a requests session per service.

The session reads no proxy settings from the environment: the services are reached directly. A
service may run as several instances (common/upstreams.py), which share its session's pool.
"""

from __future__ import annotations

import os
import threading

import requests
from requests.adapters import HTTPAdapter

from common import config

SERVICES = ("intake", "tracking", "notification", "feedback")
_lock = threading.Lock()
_sessions: dict[str, requests.Session] = {}
_pid: int | None = None


def _forget_after_fork() -> None:
    global _pid
    if _pid != os.getpid():
        _sessions.clear()
        _pid = os.getpid()


def session(service: str) -> requests.Session:
    """Return this process's pooled session to a service."""
    with _lock:
        _forget_after_fork()
        if service not in _sessions:
            pooled = requests.Session()
            pooled.trust_env = False
            adapter = HTTPAdapter(
                pool_connections=1, pool_maxsize=config.settings().upstream_pool, max_retries=0
            )
            pooled.mount("http://", adapter)
            pooled.mount("https://", adapter)
            _sessions[service] = pooled
        return _sessions[service]


def timeout() -> tuple[float, float]:
    """Return the (connect, read) timeouts for upstream calls."""
    settings = config.settings()
    return settings.upstream_connect_timeout, settings.upstream_timeout
