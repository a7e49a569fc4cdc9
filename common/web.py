"""The Flask app every service starts from: errors, request ids, JSON logs, health, metrics."""

from __future__ import annotations

import logging
import time

import flask
from flask import Blueprint, Flask, g, request
from werkzeug import exceptions

from common import bodies, config, errors, health, logs, metrics
from common.errors import BadRequest, UnsupportedMediaType
from common.logs import request_id_var

log = logging.getLogger("http")

REQUEST_ID_HEADER = "X-Request-ID"
SLOW_SECONDS = 1.0  # a request answered later than this is logged by its process too


class Request(flask.Request):
    """Flask's request, with a query string that is UTF-8 or set aside (and refused, see below).

    Werkzeug decodes the query string strictly: a raw byte that is not UTF-8 there would raise in
    whatever first reads the parameters (a 500), hooks and error pages included.
    """

    def __init__(self, environ, *args, **kwargs):
        super().__init__(environ, *args, **kwargs)
        self.unreadable_query = False
        try:
            self.query_string.decode()
        except UnicodeDecodeError:
            self.query_string, self.unreadable_query = b"", True


def create_service_app(
    name: str,
    api: Blueprint | list[Blueprint] | None = None,
    test_config: dict | None = None,
    *,
    ready_checks: tuple[str, ...] = ("store", "broker"),
) -> Flask:
    """Return a Flask app for a service, with the plumbing every service shares."""
    config.load()
    logs.setup(name)
    app = Flask(name, static_folder=None)
    app.request_class = Request
    app.config.update(
        # Each route has its own body limit (common/bodies.py); this, when set, caps them all.
        MAX_CONTENT_LENGTH=config.settings().max_request_bytes or None,
        READY_CHECKS=ready_checks,
    )
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    if test_config:
        app.config.update(test_config)
    errors.register(app)
    install_request_context(app, name)
    bodies.install(app)
    app.register_blueprint(health.blueprint)
    for blueprint in api if isinstance(api, list) else [api] if api else []:
        app.register_blueprint(blueprint)
    return app


def install_request_context(app: Flask, service: str) -> None:
    """Carry a request id through logs and answers; count and time every request."""

    @app.before_request
    def _start():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else logs.new_request_id()
        g.request_id_token = request_id_var.set(request_id)
        g.started = time.perf_counter()
        if request.unreadable_query:
            # An HTTP error, not an API one: a page answers it with its error page (gateway/web).
            raise exceptions.BadRequest("The query string is not UTF-8.")

    @app.after_request
    def _finish(response):
        headers = response.headers
        request_id = logs.current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        # A view's own header stays (pages, documents). The answer's header names are read once:
        # werkzeug's setdefault reads them all again for each header it is given.
        present = {name.lower() for name in headers.keys()}
        headers.extend(
            [(name, value) for name, value in security_headers().items() if name.lower() not in present]
        )
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        method, status = request.method, response.status_code
        # nginx's access log holds every request (gateway/nginx.py); a process adds its own line for
        # those that failed on its side or were slow, with what only it knows: the route it matched.
        if (status >= 500 or elapsed >= SLOW_SECONDS) and not endpoint.startswith(("/health", "/metrics")):
            log.warning(
                "request",
                extra={
                    "method": method,
                    "path": endpoint,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
        metrics.HTTP_REQUESTS.labels(service, method, endpoint, status).inc()
        metrics.HTTP_LATENCY.labels(service, endpoint).observe(elapsed)
        return response

    @app.teardown_request
    def _reset(_exc):
        token = g.pop("request_id_token", None)
        if token is not None:
            request_id_var.reset(token)


def security_headers() -> dict[str, str]:
    """Return the headers every answer carries unless its view set its own (pages, documents)."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
    if (config.settings().public_url or "").startswith("https://"):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


def json_body() -> dict:
    """Return the request's JSON object, or raise the contract's 400, 413 or 415."""
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as application/json.")
    body = bodies.parse_json(request.get_data())
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object.")
    return body


def client_address() -> str:
    """Return the client's address as the gateway saw it.

    The gateway appends the address it was reached from to X-Forwarded-For, and only the gateway
    reaches the services, so the last entry is the client, unless TRUSTED_PROXIES reverse proxies
    stand in front of the gateway: then the client is that many entries before the end. What a
    client writes in the header itself is never taken.
    """
    entries = [e.strip() for e in request.headers.get("X-Forwarded-For", "").split(",") if e.strip()]
    if not entries:
        return request.remote_addr or ""
    return entries[max(0, len(entries) - 1 - config.settings().trusted_proxies)]


def public_address() -> str:
    """Return where the public reaches the platform: PUBLIC_URL, else the address this request came to."""
    return config.settings().public_url or request.host_url.rstrip("/")
