"""The gateway app's aggregated health: every service's readiness, asked at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from flask import Blueprint, jsonify

from common import upstreams
from gateway import clients

blueprint = Blueprint("gateway", __name__)


def readiness(service: str) -> dict:
    """Return a service's readiness as it reports it, or why it could not be asked."""
    try:
        answer = upstreams.call(
            service, lambda base: clients.session(service).get(f"{base}/health/ready", timeout=(1.0, 3.0))
        )
        body = answer.json()
        body["status"] = "ok" if answer.status_code == 200 else body.get("status", "unavailable")
        return body
    except (requests.RequestException, ValueError) as exc:
        return {"status": "unreachable", "error": type(exc).__name__}


_pool = ThreadPoolExecutor(max_workers=len(clients.SERVICES), thread_name_prefix="health")


@blueprint.get("/health")
def health():
    """Return 200 when every service is ready, else 503 with each one's state."""
    states = dict(zip(clients.SERVICES, _pool.map(readiness, clients.SERVICES), strict=True))
    ok = all(state["status"] == "ok" for state in states.values())
    return jsonify(status="ok" if ok else "degraded", services=states), 200 if ok else 503
