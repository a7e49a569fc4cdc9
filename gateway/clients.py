"""Pooled HTTP sessions to the services, one per service and process."""

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


def session(service: str) -> requests.Session:
    """Return this process's pooled session to a service."""
    global _pid
    with _lock:
        if _pid != os.getpid():
            _sessions.clear()
            _pid = os.getpid()
        if service not in _sessions:
            pooled = requests.Session()
            adapter = HTTPAdapter(
                pool_connections=1, pool_maxsize=config.get_int("UPSTREAM_POOL", 16), max_retries=0
            )
            pooled.mount("http://", adapter)
            pooled.mount("https://", adapter)
            _sessions[service] = pooled
        return _sessions[service]


def base_url(service: str) -> str:
    """Return a service's internal base URL."""
    return config.service_url(service).rstrip("/")


def timeout() -> tuple[float, float]:
    """Return the (connect, read) timeouts for upstream calls."""
    return (config.get_float("UPSTREAM_CONNECT_TIMEOUT", 2.0), config.get_float("UPSTREAM_TIMEOUT", 15.0))
