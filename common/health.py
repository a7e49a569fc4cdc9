"""Liveness, readiness (store and broker) and metrics endpoints of every service."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Flask, Response, current_app, jsonify

from common import broker, config, metrics, mongo

blueprint = Blueprint("health", __name__)


def _queue_declared(service: str) -> None:
    # Events published before a consumer's queue first exists would be dropped: a service
    # that consumes is ready only once its worker has declared its queue.
    broker.publisher().check_queue(f"{config.settings().queue_prefix}.{service}")


_PROBES = {
    "store": lambda _service: mongo.ping(),
    "broker": lambda _service: broker.publisher().check(),
    "queue": _queue_declared,
}


def check_dependencies(service: str, names) -> dict[str, str]:
    """Return the state of each named dependency: "ok" or why it is down."""
    checks = {}
    for name in names:
        try:
            _PROBES[name](service)
            checks[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            checks[name] = f"down: {type(exc).__name__}"
    return checks


@blueprint.get("/health/live")
def live():
    """Answer while the process is running."""
    return jsonify(status="ok", service=current_app.name)


@blueprint.get("/health/ready")
def ready():
    """Answer 200 when the store and the broker answer, else 503 naming what is down."""
    checks = check_dependencies(current_app.name, current_app.config["READY_CHECKS"])
    down = sorted(name for name, state in checks.items() if state != "ok")
    body = {"status": "ok" if not down else "unavailable", "service": current_app.name, "checks": checks}
    if down:
        body["down"] = down
    return jsonify(body), 503 if down else 200


@blueprint.get("/metrics")
def metrics_endpoint():
    """Expose Prometheus metrics in the text format."""
    payload, content_type = metrics.exposition()
    return Response(payload, content_type=content_type)


def worker_app(service: str, stalled: Callable[[], list[str]]) -> Flask:
    """Return the app a worker answers its probes and metrics with (common/worker.py, WORKER_PORT).

    Its liveness fails when one of its loops has stopped going round (`stalled` names them), which a
    restart mends; its readiness, like a web process's, when the store or the broker does not answer.
    """
    app = Flask(service, static_folder=None)
    app.config["READY_CHECKS"] = ("store", "broker")
    app.json.sort_keys = False

    @app.get("/health/live")
    def worker_live():
        late = stalled()
        body = {"status": "stalled" if late else "ok", "service": service, "process": "worker"}
        if late:
            body["stalled"] = late
        return jsonify(body), 503 if late else 200

    app.add_url_rule("/health/ready", view_func=ready)
    app.add_url_rule("/metrics", view_func=metrics_endpoint)
    return app
