"""Pooled HTTP connections to the services, one pool per service and process.

The API's forwarding uses urllib3's pool directly (`pool`): it is the gateway's hot path, and
requests' per-call work (environment proxies, cookies, merging settings) cost as much as the
rest of a forward. The pages, which send forms and files, use a requests session (`session`).
Neither reads proxy settings from the environment: the services are reached directly. A service
may run as several instances (common/upstreams.py): there is a pool per instance.
"""

from __future__ import annotations

import os
import threading

import requests
import urllib3
from requests.adapters import HTTPAdapter

from common import config

SERVICES = ("intake", "tracking", "notification", "feedback")
_lock = threading.Lock()
_sessions: dict[str, requests.Session] = {}
_pools: dict[str, urllib3.HTTPConnectionPool] = {}
_pid: int | None = None


def _forget_after_fork() -> None:
    global _pid
    if _pid != os.getpid():
        _sessions.clear()
        _pools.clear()
        _pid = os.getpid()


def pool(base: str) -> urllib3.HTTPConnectionPool:
    """Return this process's connection pool to one instance of a service, by its base URL."""
    with _lock:
        _forget_after_fork()
        if base not in _pools:
            connect, read = timeout()
            _pools[base] = urllib3.connection_from_url(
                base,
                maxsize=config.settings().upstream_pool,
                timeout=urllib3.Timeout(connect=connect, read=read),
                retries=False,
            )
        return _pools[base]


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


def base_path(base: str) -> str:
    """Return the path an instance's base URL may have (behind a proxy), without its last slash."""
    return urllib3.util.parse_url(base).path or ""


def timeout() -> tuple[float, float]:
    """Return the (connect, read) timeouts for upstream calls."""
    settings = config.settings()
    return settings.upstream_connect_timeout, settings.upstream_timeout
