"""The Kubernetes Ingress for ingress-nginx, written from the routing table (gateway/routing.py).

`python -m gateway.ingress` writes deploy/kubernetes/base/ingress.yaml and method-router.conf:

- each path of the table goes straight to its service's Service (intake, tracking, feedback) as an
  anchored regular expression (ingress-nginx puts `^` before a path and matches it case-insensitively
  and prefix-wise, so each ends with `$`); everything else goes to the gateway app at `/`;
- ingress-nginx sets a body limit and retries per Ingress object, not per path, so the paths are
  grouped by body limit (MAX_JSON_BYTES, a submission's, a document's) and by whether a POST may go
  to another instance once sent (REPEATABLE_POSTS, `non_idempotent`): an object per group;
- an Ingress routes by path only, so a path two services share by method (Open311's requests, read
  by tracking and posted to intake) goes to the method router, a small nginx that sends each method
  on to its owner (method-router.conf; method-router.yaml runs it), rather than to a configuration
  snippet, which ingress-nginx refuses unless its operator allows them all.

The host is PUBLIC_URL's in config.yaml; the body limits and timeouts come from the settings the
command runs with, the defaults the pods have too (config.yaml sets none). After changing either,
run it again: tests/unit/test_kubernetes.py fails while the committed files differ.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from common import bodies, config
from gateway import nginx, routing

BASE = Path(__file__).resolve().parents[1] / "deploy" / "kubernetes" / "base"
TLS_SECRET = "complaints-tls"
ROUTER = "method-router"
SERVICE_PORT = 8000  # every Service's port `http` (base/*.yaml)
ROUTER_PORT = 8080  # where the method router's nginx listens in its pod
ANNOTATION = "nginx.ingress.kubernetes.io/"
HEADER = "# Written by gateway/ingress.py from the routing table (gateway/routing.py): do not edit.\n"


@dataclass(frozen=True)
class Group:
    """The paths that share an Ingress object: one body limit, one retry policy."""

    kind: str  # whose limit: json, submission, document
    limit: int
    retried: bool  # a POST that reached an instance may go to another (recorded once per request id)

    @property
    def name(self) -> str:
        return f"{self.kind}-bodies{'-retried' if self.retried else ''}"


def _kind(limit) -> str:
    """Return the name of a route's body limit: json, or the upload's (submission, document)."""
    return limit.__name__.removesuffix("_bytes").replace("_", "-") if limit else "json"


def _backend(service: str) -> dict:
    return {"service": {"name": service, "port": {"name": "http"}}}


def _path(pattern: str, service: str) -> dict:
    # ingress-nginx writes `location ~* "^<path>"`: the pattern goes without its `^`, keeping its `$`.
    return {
        "path": pattern.removeprefix("^"),
        "pathType": "ImplementationSpecific",
        "backend": _backend(service),
    }


def groups() -> dict[Group, list[dict]]:
    """Return the Ingress paths of the table and of the pages' uploads, by group, in the table's order."""
    found: dict[Group, list[dict]] = {}
    for route in routing.routes():
        if route.services == [routing.GATEWAY]:
            continue  # the gateway's own (/api/docs): reached through `/`
        service = route.services[0] if len(route.services) == 1 else ROUTER
        group = Group(_kind(route.upload_limit), route.body_limit(), route.repeatable_post)
        found.setdefault(group, []).append(_path(route.pattern, service))
    for path, limit in routing.PAGE_UPLOADS.items():
        group = Group(_kind(limit), routing.capped(limit()), False)
        found.setdefault(group, []).append(_path(routing.anchored(path), routing.GATEWAY))
    return found


def _annotations(limit: int, retried: bool) -> dict[str, str]:
    """Return one Ingress object's annotations: gateway/nginx.py's proxying, as ingress-nginx says it."""
    settings = config.settings()
    read = settings.upstream_timeout
    return {
        # For every Ingress of the host (ingress-nginx applies it to all): said on each, for the reader.
        ANNOTATION + "use-regex": "true",
        ANNOTATION + "proxy-body-size": str(limit),
        # A request that could not reach an instance or lost its answer goes to the next one when it
        # may be sent twice: reads, and on the retried objects the submissions too.
        ANNOTATION + "proxy-next-upstream": "error timeout" + (" non_idempotent" if retried else ""),
        ANNOTATION + "proxy-next-upstream-timeout": "30",
        ANNOTATION + "proxy-connect-timeout": str(math.ceil(settings.upstream_connect_timeout)),
        ANNOTATION + "proxy-read-timeout": str(math.ceil(read)),
        ANNOTATION + "proxy-send-timeout": str(math.ceil(max(read, 30))),
        # Bodies read whole and answers buffered: a slow client holds the controller, not a service.
        ANNOTATION + "proxy-request-buffering": "on",
        ANNOTATION + "proxy-buffering": "on",
    }


def _ingress(name: str, host: str, annotations: dict[str, str], paths: list[dict]) -> dict:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": name, "annotations": annotations},
        "spec": {
            "ingressClassName": "nginx",
            "tls": [{"hosts": [host], "secretName": TLS_SECRET}],
            "rules": [{"host": host, "http": {"paths": paths}}],
        },
    }


def ingresses(host: str) -> list[dict]:
    """Return the Ingress objects: `gateway` (everything at `/`), then one per group of the table."""
    json_limit = routing.capped(bodies.json_bytes())
    gateway = [{"path": "/", "pathType": "ImplementationSpecific", "backend": _backend(routing.GATEWAY)}]
    found = [_ingress(routing.GATEWAY, host, _annotations(json_limit, False), gateway)]
    for group, paths in groups().items():
        found.append(_ingress(group.name, host, _annotations(group.limit, group.retried), paths))
    return found


def render(host: str) -> str:
    """Return ingress.yaml: every Ingress object, each with the routes it holds said above it."""
    documents = []
    for ingress in ingresses(host):
        name = ingress["metadata"]["name"]
        about = (
            "# Everything the table does not give a service: the pages, /health, /static/, /api/docs."
            if name == routing.GATEWAY
            else f"# {name}: up to {ingress['metadata']['annotations'][ANNOTATION + 'proxy-body-size']} bytes"
            + (
                ", a POST sent again to another instance when its answer was lost."
                if "retried" in name
                else "."
            )
        )
        documents.append(about + "\n" + yaml.safe_dump(ingress, sort_keys=False, width=200))
    return HEADER + "# TLS is ended by the ingress controller.\n" + "---\n".join(documents)


def router_conf() -> str:
    """Return the method router's nginx.conf: each path two services share, each method to its owner."""
    shared = [route for route in routing.routes() if len(route.services) > 1]
    settings = config.settings()
    read = settings.upstream_timeout
    http = [
        "server_tokens off;",
        "access_log off;  # the ingress controller logs every request",
        *(f"{kind}_temp_path /tmp/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
        # X-Forwarded-For, X-Forwarded-Proto and X-Request-ID go on as the ingress controller set them:
        # the services read the client's address where they would without this hop.
        "proxy_set_header Host $http_host;",
        f"proxy_connect_timeout {round(settings.upstream_connect_timeout * 1000)}ms;",
        f"proxy_read_timeout {round(read * 1000)}ms;",
        f"proxy_send_timeout {round(max(read, 30) * 1000)}ms;",
        "",
    ]
    http += nginx.owner_maps(shared)
    # One address per service, its Service's: kube-proxy picks a pod for each new connection.
    for service in sorted({service for route in shared for service in route.services}):
        http += ["", f"upstream {service} {{", f"    server {service}:{SERVICE_PORT};", "}"]
    server = [f"listen {ROUTER_PORT};"]
    for route in shared:
        server += [
            f'location ~ "{route.pattern}" {{',
            f"    client_max_body_size {route.body_limit()};",
            f"    proxy_pass http://{nginx.owner_variable(route)};",
            "}",
        ]
    server += ["location / {", "    return 404;", "}"]
    http += ["", "server {", *(f"    {line}" for line in server), "}"]
    return "\n".join(
        [
            HEADER.rstrip("\n"),
            "# The paths two services share, by method: an Ingress routes by path only (gateway/ingress.py).",
            "daemon off;",
            "worker_processes 1;",
            "pid /tmp/nginx.pid;",
            "error_log stderr warn;",
            "",
            "events {",
            "    worker_connections 1024;",
            "}",
            "",
            "http {",
            *(f"    {line}" if line else "" for line in http),
            "}",
            "",
        ]
    )


def host(base: Path = BASE) -> str:
    """Return the public host name: PUBLIC_URL's in config.yaml, which emails' links use too."""
    data = yaml.safe_load((base / "config.yaml").read_text())["data"]
    return urlsplit(data["PUBLIC_URL"]).hostname


def main(argv: list[str]) -> int:
    """Write ingress.yaml and method-router.conf into deploy/kubernetes/base (or the folder given)."""
    folder = Path(argv[0]) if argv else BASE
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ingress.yaml").write_text(render(host()))
    (folder / f"{ROUTER}.conf").write_text(router_conf())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
