"""The one routing table: every public path of the API and Open311, its methods and its owner.

nginx, the public entry point, is configured from it (gateway/nginx.py), and so is the Kubernetes
Ingress (deploy/kubernetes/base/ingress.yaml, written by `python -m gateway.ingress`).
tests/unit/gateway/test_routing_table.py fails when it differs from the routes the services and
the gateway serve: a path nobody serves is nginx's 404, a method the service does not take there
nginx's 405 with the right `Allow`, without asking anyone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from common import bodies, config, uploads

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
    ("/api/v1/reports", ("GET",), "tracking"),
    ("/api/v1/reports/<number>", ("GET",), "tracking"),
    ("/api/v1/reports/<number>/photos/<document_id>", ("GET",), "tracking"),
    ("/api/v1/reports/<number>/photos/<document_id>/thumb", ("GET",), "tracking"),
    ("/api/v1/complaints/<number>", ("GET",), "tracking"),
    ("/api/v1/complaints/<number>/followers", ("POST",), "tracking"),
    ("/api/v1/complaints/<number>/followers/confirm", ("POST",), "tracking"),
    ("/api/v1/complaints/<number>/unfollow", ("POST",), "tracking"),
    ("/api/v1/alerts", ("POST",), "tracking"),
    ("/api/v1/alerts/confirm", ("POST",), "tracking"),
    ("/api/v1/alerts/unsubscribe", ("POST",), "tracking"),
    ("/api/v1/complaints/<number>/documents", ("POST",), "tracking"),
    ("/api/v1/complaints/<number>/documents/<document_id>", ("GET",), "tracking"),
    ("/api/v1/complaints/<number>/documents/<document_id>/thumb", ("GET",), "tracking"),
    ("/api/v1/complaints/<number>/documents/<document_id>/display", ("GET",), "tracking"),
    ("/api/v1/complaints/<number>/remarks", ("POST",), "tracking"),
    ("/api/v1/complaints/<number>/reopen", ("POST",), "tracking"),
    ("/api/v1/complaints/<number>/feedback", ("POST",), "tracking"),
    ("/api/v1/staff/login", ("POST",), "tracking"),
    ("/api/v1/staff/logout", ("POST",), "tracking"),
    ("/api/v1/staff/complaints", ("GET",), "tracking"),
    ("/api/v1/staff/complaints/map", ("GET",), "tracking"),
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
    ("/api/v1/staff/complaints/<number>/documents/<document_id>/thumb", ("GET",), "tracking"),
    ("/api/v1/staff/complaints/<number>/documents/<document_id>/display", ("GET",), "tracking"),
    ("/api/v1/staff/citizens/export", ("POST",), "tracking"),
    ("/api/v1/staff/citizens/erasure", ("POST",), "tracking"),
    ("/api/v1/staff/members", ("GET", "POST"), "tracking"),
    ("/api/v1/staff/members/<username>", ("PATCH",), "tracking"),
    (f"/open311/v2/requests.{FORMAT}", ("GET",), "tracking"),
    (f"/open311/v2/requests/<service_request_id>.{FORMAT}", ("GET",), "tracking"),
    (f"/open311/v2/servicerequestupdates.{FORMAT}", ("GET",), "tracking"),
    ("/api/v1/stats", ("GET",), "feedback"),
    ("/api/v1/staff/exports/stats.csv", ("GET",), "feedback"),
    # The gateway's own, under /api/: the API's documentation.
    ("/api/openapi.yaml", ("GET",), "gateway"),
    ("/api/docs", ("GET",), "gateway"),
]
# Everything else (the pages, /health, /metrics, /static/) is the gateway's.
GATEWAY = "gateway"
PUBLIC_PREFIXES = ("/api/", "/open311/")
# The routes whose multipart bodies carry documents, and the largest such body: the API's and the
# pages'. Every other body is bounded by MAX_JSON_BYTES (common/bodies.py). The test of the table
# checks these against the views' own limits.
UPLOADS: dict[str, Callable[[], int]] = {
    "/api/v1/complaints": uploads.submission_bytes,
    "/api/v1/complaints/<number>/documents": uploads.document_bytes,
    "/api/v1/staff/complaints/<number>/documents": uploads.document_bytes,
}
PAGE_UPLOADS: dict[str, Callable[[], int]] = {
    "/": uploads.submission_bytes,
    "/complaints/<number>/documents": uploads.document_bytes,
    "/staff/complaints/<number>/documents": uploads.document_bytes,
}
# Calls that may go to another instance when the first lost its answer: reads, and submissions,
# which intake records once per request id (the entry point's X-Request-ID, the same on each try).
REPEATABLE_POSTS = {
    "/api/v1/complaints",
    "/api/v1/tracking",
    "/api/v1/tracking/link",
    f"/open311/v2/requests.{FORMAT}",
}
READS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Route:
    """One public path as nginx matches it: its owners by method, its body limit, its shape."""

    path: str  # as written in the table: /api/v1/complaints/<number>
    owners: dict[str, str]  # method -> service
    upload_limit: Callable[[], int] | None
    repeatable_post: bool

    @property
    def allowed(self) -> list[str]:
        """Return the methods the path takes, as a 405's `Allow` names them (werkzeug's, sorted)."""
        methods = set(self.owners) | {"OPTIONS"}
        if "GET" in methods:
            methods.add("HEAD")
        return sorted(methods)

    @property
    def services(self) -> list[str]:
        return sorted(set(self.owners.values()))

    @property
    def exact(self) -> bool:
        """Return whether the path has no variable part: matched as it is."""
        return "<" not in self.path

    @property
    def pattern(self) -> str:
        """Return the path as an anchored regular expression on the decoded path."""
        return anchored(self.path)

    @property
    def open311(self) -> bool:
        return self.path.startswith("/open311/")

    def body_limit(self) -> int:
        """Return the largest body the path takes, in bytes (multipart documents where it has them)."""
        limit = self.upload_limit() if self.upload_limit else bodies.json_bytes()
        return capped(limit)


def capped(limit: int) -> int:
    """Return a body limit under MAX_REQUEST_BYTES, when that cap on every route is set."""
    ceiling = config.settings().max_request_bytes
    return min(limit, ceiling) if ceiling else limit


_VARIABLE = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def path_pattern(path: str) -> str:
    """Return a werkzeug rule's path as a regular expression: `<x>` one segment, `<any(a,b):x>` a or b."""
    out, last = [], 0
    for match in _VARIABLE.finditer(path):
        out.append(re.escape(path[last : match.start()]).replace("\\/", "/"))
        converter, arguments = match.group(1), match.group(2)
        if converter == "any":
            out.append("(?:" + "|".join(re.escape(a.strip()) for a in arguments.split(",")) + ")")
        elif converter in (None, "string"):
            out.append("[^/]+")
        else:
            raise ValueError(f"{path}: converter {converter} has no pattern here")
        last = match.end()
    out.append(re.escape(path[last:]).replace("\\/", "/"))
    return "".join(out)


def anchored(path: str) -> str:
    """Return a rule's path as a regular expression matching the whole path."""
    return "^" + path_pattern(path) + "$"


def expanded(path: str) -> list[str]:
    """Return the paths a rule stands for, one per format: `requests.<any(json,xml):fmt>` gives two."""
    if FORMAT not in path:
        return [path]
    return [path.replace(FORMAT, fmt) for fmt in ("json", "xml")]


def routes() -> list[Route]:
    """Return every public path of the table, each once with all its methods, in the table's order."""
    found: dict[str, dict[str, str]] = {}
    for path, methods, service in ROUTES:
        for one in expanded(path):
            owners = found.setdefault(one, {})
            for method in methods:
                if method in owners:
                    raise ValueError(f"{method} {one} is routed twice")
                owners[method] = service
    repeatable_paths = {one for path in REPEATABLE_POSTS for one in expanded(path)}
    return [
        Route(path, owners, UPLOADS.get(path), path in repeatable_paths) for path, owners in found.items()
    ]


_REPEATABLE = re.compile("|".join(f"(?:{anchored(path)})" for path in sorted(REPEATABLE_POSTS)))


def repeatable(method: str, path: str) -> bool:
    """Return whether a request may be sent again to another instance after its answer was lost."""
    if method in READS:
        return True
    return method == "POST" and _REPEATABLE.match(path) is not None
