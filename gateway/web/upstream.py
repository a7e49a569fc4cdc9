"""The pages' way to the public API: the same services, calls and answers as any other client."""

from __future__ import annotations

import logging

import requests
from flask import request

from common import upstreams
from common.logs import current_request_id
from gateway import clients
from gateway.routing import repeatable

log = logging.getLogger(__name__)


def forwarded_for() -> str:
    """Return X-Forwarded-For as the services read it: as nginx passed it, the client's address last.

    The gateway app is reached through nginx only (it listens on the loopback, or inside the
    cluster), which appended the address it was reached from.
    """
    return request.headers.get("X-Forwarded-For") or request.remote_addr or ""


class Answer:
    """An upstream answer: its status, its JSON (or None) and its raw response."""

    def __init__(self, status: int, body, response: requests.Response | None = None):
        self.status, self.body, self.response = status, body, response

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def field_errors(self) -> dict[str, list[str]]:
        """Return the contract's field errors flattened to dotted names (`citizen.email`)."""
        fields = ((self.body or {}).get("error") or {}).get("fields") or {}
        flat: dict[str, list[str]] = {}

        def walk(prefix: str, value) -> None:
            if isinstance(value, dict):
                for key, inner in value.items():
                    walk(f"{prefix}.{key}" if prefix else str(key), inner)
            else:
                flat[prefix] = [str(v) for v in (value if isinstance(value, list) else [value])]

        walk("", fields)
        return flat

    @property
    def message(self) -> str:
        return ((self.body or {}).get("error") or {}).get("message", "")


def call(service: str, method: str, path: str, *, token: str | None = None, **kwargs) -> Answer:
    """Call a service's public path as the citizen's or staff member's client; 503 when it is down."""
    headers = {"X-Request-ID": current_request_id() or "", "X-Forwarded-For": forwarded_for()}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = upstreams.call(
            service,
            lambda base: clients.session(service).request(
                method, base + path, headers=headers, timeout=clients.timeout(), **kwargs
            ),
            # Uploads are streams, read once: a call carrying them is not sent twice.
            repeatable=repeatable(method, path.partition("?")[0]) and not kwargs.get("files"),
        )
    except requests.RequestException as exc:
        log.warning("upstream unreachable", extra={"service": service, "error": type(exc).__name__})
        return Answer(503, None)
    body = None
    if response.headers.get("Content-Type", "").startswith("application/json"):
        try:
            body = response.json()
        except ValueError:
            body = None
    return Answer(response.status_code, body, response)
