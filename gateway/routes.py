"""The gateway's routes: the public API forwarded to the service that owns it, and health."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import requests
import urllib3
from flask import Blueprint, Response, jsonify, request

from common import bodies, uploads, upstreams
from common.errors import Unavailable
from common.logs import current_request_id
from gateway import clients

log = logging.getLogger(__name__)
blueprint = Blueprint("gateway", __name__)

# The one routing table: each public path of the API and Open311 as its service serves it, the
# methods it takes there, and that service. tests/unit/gateway/test_routing_table.py fails when it
# differs from the services' own routes: an address nobody serves is the gateway's 404, a method
# the service does not take there the gateway's 405 with the right `Allow`, without asking it.
FORMAT = "<any(json,xml):fmt>"
ROUTES = [
    ("/api/v1/catalog", ("GET",), "intake"),
    ("/api/v1/complaints", ("POST",), "intake"),
    ("/api/v1/staff/catalog", ("GET",), "intake"),
    ("/api/v1/staff/catalog/<kind>", ("POST",), "intake"),
    ("/api/v1/staff/catalog/<kind>/<code>", ("PATCH",), "intake"),
    ("/api/v1/staff/open311-keys", ("GET", "POST"), "intake"),
    ("/api/v1/staff/open311-keys/<key_id>", ("DELETE",), "intake"),
    ("/api/v1/staff/answers", ("GET", "POST"), "intake"),
    ("/api/v1/staff/answers/<answer_id>", ("PATCH", "DELETE"), "intake"),
    (f"/open311/v2/discovery.{FORMAT}", ("GET",), "intake"),
    (f"/open311/v2/services.{FORMAT}", ("GET",), "intake"),
    (f"/open311/v2/services/<service_code>.{FORMAT}", ("GET",), "intake"),
    (f"/open311/v2/requests.{FORMAT}", ("POST",), "intake"),
    (f"/open311/v2/tokens/<token>.{FORMAT}", ("GET",), "intake"),
    ("/api/v1/tracking", ("POST",), "tracking"),
    ("/api/v1/tracking/link", ("POST",), "tracking"),
    ("/api/v1/complaints/nearby", ("GET",), "tracking"),
    ("/api/v1/complaints/<number>", ("GET",), "tracking"),
    ("/api/v1/complaints/<number>/followers", ("POST",), "tracking"),
    ("/api/v1/complaints/<number>/followers/confirm", ("POST",), "tracking"),
    ("/api/v1/complaints/<number>/unfollow", ("POST",), "tracking"),
    ("/api/v1/complaints/<number>/documents", ("POST",), "tracking"),
    ("/api/v1/complaints/<number>/documents/<document_id>", ("GET",), "tracking"),
    ("/api/v1/complaints/<number>/remarks", ("POST",), "tracking"),
    ("/api/v1/complaints/<number>/reopen", ("POST",), "tracking"),
    ("/api/v1/complaints/<number>/feedback", ("POST",), "tracking"),
    ("/api/v1/staff/login", ("POST",), "tracking"),
    ("/api/v1/staff/logout", ("POST",), "tracking"),
    ("/api/v1/staff/complaints", ("GET",), "tracking"),
    ("/api/v1/staff/exports/complaints.csv", ("GET",), "tracking"),
    ("/api/v1/staff/complaints/<number>", ("GET",), "tracking"),
    ("/api/v1/staff/complaints/<number>/audit", ("GET",), "tracking"),
    ("/api/v1/staff/complaints/<number>/transitions", ("POST",), "tracking"),
    ("/api/v1/staff/complaints/<number>/assignees", ("GET",), "tracking"),
    ("/api/v1/staff/complaints/<number>/assignment", ("POST",), "tracking"),
    ("/api/v1/staff/complaints/<number>/district", ("POST",), "tracking"),
    ("/api/v1/staff/complaints/<number>/merge", ("POST",), "tracking"),
    ("/api/v1/staff/complaints/<number>/notes", ("POST",), "tracking"),
    ("/api/v1/staff/complaints/<number>/documents", ("POST",), "tracking"),
    ("/api/v1/staff/complaints/<number>/documents/<document_id>", ("GET",), "tracking"),
    ("/api/v1/staff/citizens/export", ("POST",), "tracking"),
    ("/api/v1/staff/citizens/erasure", ("POST",), "tracking"),
    ("/api/v1/staff/members", ("GET", "POST"), "tracking"),
    ("/api/v1/staff/members/<username>", ("PATCH",), "tracking"),
    (f"/open311/v2/requests.{FORMAT}", ("GET",), "tracking"),
    (f"/open311/v2/requests/<service_request_id>.{FORMAT}", ("GET",), "tracking"),
    (f"/open311/v2/servicerequestupdates.{FORMAT}", ("GET",), "tracking"),
    ("/api/v1/stats", ("GET",), "feedback"),
    ("/api/v1/staff/exports/stats.csv", ("GET",), "feedback"),
]
# Every body is bounded by its route before it is read (common/bodies.py): JSON and forms by
# MAX_JSON_BYTES, and the multipart bodies of these routes by the documents they may carry.
UPLOADS = {
    "/api/v1/complaints": uploads.submission_bytes,
    "/api/v1/complaints/<number>/documents": uploads.document_bytes,
    "/api/v1/staff/complaints/<number>/documents": uploads.document_bytes,
}
# An upload larger than this waits in a temporary file, not in the gateway's memory.
SPOOL_BYTES = 1024 * 1024
STREAM_CHUNK = 64 * 1024
FORWARDED_REQUEST_HEADERS = ("Content-Type", "Authorization", "Accept", "Accept-Language", "User-Agent")
FORWARDED_RESPONSE_HEADERS = (
    "Allow",
    "X-Content-Type-Options",
    "Content-Type",
    "Content-Disposition",
    "Retry-After",
    "Location",
    "Cache-Control",
    "ETag",
    "Last-Modified",
)


def forwarded_for() -> str:
    """Return X-Forwarded-For as the services read it: what came in, then who reached the gateway."""
    incoming = request.headers.get("X-Forwarded-For")
    client = request.remote_addr or ""
    return f"{incoming}, {client}" if incoming else client


# Calls that may go to another instance when the first lost its answer: reads, and submissions,
# which intake records once per request id (the gateway's X-Request-ID, the same on each try).
REPEATABLE_POSTS = {
    "/api/v1/complaints",
    "/api/v1/tracking",
    "/api/v1/tracking/link",
    "/open311/v2/requests.json",
    "/open311/v2/requests.xml",
}


def repeatable(method: str, path: str) -> bool:
    """Return whether a request may be sent again to another instance after its answer was lost."""
    return method in ("GET", "HEAD", "OPTIONS") or (method == "POST" and path in REPEATABLE_POSTS)


def request_body():
    """Return the body to send on, read within its route's limit (a 413 past it, chunked or not).

    JSON and forms are read into memory; an upload, once past SPOOL_BYTES, into a temporary file.
    """
    if (request.max_content_length or 0) <= SPOOL_BYTES:
        return request.get_data()
    spool = tempfile.SpooledTemporaryFile(SPOOL_BYTES)
    try:
        shutil.copyfileobj(request.stream, spool, 64 * 1024)
    except BaseException:
        spool.close()
        raise
    return spool


def upstream_path() -> str:
    """Return the path and query to ask the service for, encoded as the client meant them.

    The server hands the path over decoded: sent on as it is, an encoded `?` or `#` in it would
    start a query or a fragment.
    """
    path = quote(request.path, safe="/:@!$&'()*+,;=~")
    query = request.query_string.decode()
    return f"{path}?{query}" if query else path


def forward(service: str) -> Response:
    """Send the request to the service and return its answer; 503 when it cannot answer."""
    headers = {name: request.headers[name] for name in FORWARDED_REQUEST_HEADERS if name in request.headers}
    headers["X-Request-ID"] = current_request_id()
    headers["X-Forwarded-For"] = forwarded_for()
    headers["X-Forwarded-Proto"] = request.scheme
    body = request_body()
    spooled = not isinstance(body, bytes)
    if spooled:
        headers["Content-Length"] = str(body.seek(0, 2))
    path = upstream_path()

    def send(base: str) -> urllib3.BaseHTTPResponse:
        if spooled:
            body.seek(0)  # sent again to another instance when the first lost the answer
        answer = clients.pool(base).urlopen(
            request.method,
            clients.base_path(base) + path,
            body=body,
            headers=headers,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
        )
        if not streamed(answer):  # read here: an answer lost halfway is asked again
            answer.read(cache_content=True)
            answer.release_conn()
        return answer

    try:
        upstream = upstreams.call(service, send, repeatable=repeatable(request.method, request.path))
    except urllib3.exceptions.HTTPError as exc:
        log.warning("upstream unreachable", extra={"service": service, "error": type(exc).__name__})
        raise Unavailable(f"The {service} service is unavailable; try again shortly.") from exc
    finally:
        if spooled:
            body.close()
    is_json = upstream.headers.get("Content-Type", "").startswith("application/json")
    if upstream.status >= 500 and not is_json:
        # A crashed or overloaded worker answers in its server's words, not the contract's.
        upstream.release_conn()
        raise Unavailable(f"The {service} service is unavailable; try again shortly.")
    if streamed(upstream):
        response = Response(_passed_on(upstream), status=upstream.status, direct_passthrough=True)
    else:
        response = Response(upstream.data, status=upstream.status)
    if "Content-Type" not in upstream.headers:
        del response.headers["Content-Type"]  # an answer without a body (204) has no type
    for name in FORWARDED_RESPONSE_HEADERS:
        if name in upstream.headers:
            response.headers[name] = upstream.headers[name]
    return response


def streamed(upstream: urllib3.BaseHTTPResponse) -> bool:
    """Return whether the service streams its answer (an export), which is passed on as it comes."""
    return upstream.headers.get("Transfer-Encoding") == "chunked"


def _passed_on(upstream: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    """Yield a streamed answer as it comes: an export's first lines leave before its last are read."""
    try:
        yield from upstream.stream(STREAM_CHUNK)
    finally:
        upstream.release_conn()


def _register_routes() -> None:
    for path, methods, service in ROUTES:

        def view(service: str = service, **_) -> Response:
            return forward(service)

        if path in UPLOADS:
            view = bodies.accepts_uploads(UPLOADS[path])(view)
        blueprint.add_url_rule(path, f"{service}:{path.replace('.', '_')}", view, methods=list(methods))


_register_routes()


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
