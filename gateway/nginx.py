"""The public entry point's nginx configuration, written from the routing table (gateway/routing.py).

nginx takes every request on GATEWAY_PORT. It sends each path of the API and Open311 straight to
the service that owns it, over kept-alive connections to every instance, and everything else (the
pages, /health, /metrics, /static/) to the gateway app. On the way it:

- bounds each route's body (MAX_JSON_BYTES, the documents' limits on the upload routes) and reads
  it whole before a service sees it, so a client sending slowly holds a connection of nginx's, not
  a worker of a service; answers are buffered the same way for clients reading slowly;
- sets X-Request-ID (the client's when it is printable and at most 64 characters, else a new one)
  and appends the address it was reached from to X-Forwarded-For, as the services read it
  (common/web.py, TRUSTED_PROXIES);
- sends a read, or a submission (recorded once per request id), to another instance when one
  fails, and nothing else;
- answers its own errors in the contract's shape: 404 for a path nobody serves, 405 with `Allow`
  for a method the path does not take, 413 past the route's limit, 503 when no instance answers,
  in Open311's shape (JSON or XML) under /open311/, and as a page in the visitor's language for
  the pages.

`python -m gateway.nginx DIR` writes the configuration docker-compose.yml mounts (deploy/nginx/).
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from common import bodies, config, open311
from common.errors import error_body
from common.web import security_headers
from gateway import routing
from gateway.web import i18n
from gateway.web.shared import CONTENT_SECURITY_POLICY, ERROR_MESSAGES

BUFFERED = " buffer=64k flush=1s"  # a file's access log is written in blocks, not line by line
UPSTREAMS = ("intake", "tracking", "feedback", routing.GATEWAY)
# nginx keeps idle connections to an instance for less than gunicorn's keepalive (5 s): the
# instance never closes one nginx is about to reuse.
UPSTREAM_IDLE_SECONDS = 4
NOT_FOUND = "The requested URL was not found on the server."
NOT_ALLOWED = "The method is not allowed for the requested URL."
# The errors nginx answers itself, by status: the contract's code and message.
ERRORS = {
    400: ("bad_request", "The request is not valid HTTP."),
    404: ("not_found", NOT_FOUND),
    405: ("method_not_allowed", NOT_ALLOWED),
    408: ("request_timeout", "The request took too long to arrive."),
    414: ("uri_too_long", "The address is too long."),
    431: ("bad_request", "The request's headers are too large."),
    500: ("internal_error", "An unexpected error occurred."),
}


@dataclass
class Entry:
    """Where nginx listens, the instances it sends to, and where its files are, as nginx sees them."""

    listen: str  # "127.0.0.1:8080", "[::]:8080" or "8080"
    upstreams: dict[str, list[str]]  # service -> its instances' "host:port"
    home: Path  # the folder holding nginx.conf and errors/, as nginx reads it
    temp: Path | None = None  # nginx's temporary files (bodies and answers too large for memory)
    pid: Path = Path("/tmp/nginx.pid")
    access_log: str = "/dev/stdout"
    error_log: str = "stderr"
    workers: str = "auto"
    connections: int = 4096
    user: str | None = None


def _quote(value: str) -> str:
    """Return a value as an nginx string: double-quoted, its quotes and backslashes escaped (no `$`)."""
    if "$" in value:
        raise ValueError(f"{value!r}: a `$` would be read as a variable")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _headers(headers: dict[str, str]) -> list[str]:
    return [f"add_header {name} {_quote(value)} always;" for name, value in headers.items()]


def _block(head: str, lines: list[str]) -> list[str]:
    return [f"{head} {{", *(f"    {line}" if line else "" for line in lines), "}", ""]


def _location(path: str) -> str:
    """Return the head of the location of a rule's path: exact, or its pattern's when it has variables."""
    return f"location = {path}" if "<" not in path else f'location ~ "{routing.anchored(path)}"'


def _ms(seconds: float) -> str:
    return f"{round(seconds * 1000)}ms"


def _json_limit() -> int:
    return routing.capped(bodies.json_bytes())


def _upload_limits(routes: list[routing.Route]) -> dict[str, int]:
    """Return the pattern and limit of each route, the API's or a page's, that takes documents."""
    limits = {route.pattern: route.body_limit() for route in routes if route.upload_limit}
    for path, limit in routing.PAGE_UPLOADS.items():
        limits[routing.anchored(path)] = routing.capped(limit())
    return limits


def render(entry: Entry) -> str:
    """Return nginx.conf for an entry point."""
    routes = routing.routes()
    settings = config.settings()
    languages = "|".join(i18n.LANGUAGES)
    json_limit = _json_limit()
    uploads = _upload_limits(routes)
    out = [
        "# Written by gateway/nginx.py from the routing table (gateway/routing.py): do not edit.",
        "daemon off;",
        f"worker_processes {entry.workers};",
        *([f"user {entry.user};"] if entry.user else []),
        f"pid {entry.pid};",
        f"error_log {entry.error_log} warn;",
        "",
        "events {",
        f"    worker_connections {entry.connections};",
        "}",
        "",
        "http {",
    ]
    http = [
        "server_tokens off;",
        "sendfile on;",
        "tcp_nodelay on;",
        "charset_types application/json text/xml;",
        # The request log: the address without its query string (a search's words, a link's token)
        # and no client address, which is personal data (the rate limits keep only an HMAC of it).
        'log_format entry escape=json \'{"time":"$time_iso8601","request_id":"$req_id",'
        '"method":"$request_verb","path":"$request_path","status":$status,"bytes":$body_bytes_sent,'
        '"seconds":$request_time,"upstream":"$upstream_addr","upstream_seconds":"$upstream_response_time"}\';',
        f"access_log {entry.access_log} entry{'' if entry.access_log.startswith('/dev/') else BUFFERED};",
    ]
    if entry.temp:
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            http.append(f"{kind}_temp_path {entry.temp / kind};")
    http += [
        "",
        "# Slow clients wait in nginx: headers within 10 s, the body's pieces and the answer's reads within",
        "# 30 s of each other; a body is read whole (to a file past 256 kB) before a service sees it.",
        "client_header_timeout 10s;",
        "client_body_timeout 30s;",
        "send_timeout 30s;",
        "keepalive_timeout 65s;",
        "keepalive_requests 1000;",
        f"client_body_buffer_size {json_limit};",
        f"client_max_body_size {json_limit};",
        "large_client_header_buffers 4 16k;",
        "merge_slashes off;",
        "",
        "# The request id: the client's when it is printable and at most 64 characters (as the services",
        "# take it), else nginx's own.",
        "map $http_x_request_id $req_id {",
        '    "~^[\\x20-\\x7e]{1,64}$" $http_x_request_id;',
        "    default $request_id;",
        "}",
        "# X-Forwarded-For as the services read it: what came in, then who reached nginx.",
        "map $http_x_forwarded_for $forwarded_for {",
        '    "" $remote_addr;',
        '    default "$http_x_forwarded_for, $remote_addr";',
        "}",
        "# The request as the client sent it (an error's answer is an internal GET of another address):",
        "# its method, and its path as sent, without the query string.",
        "map $request $request_verb {",
        '    "~^(?<verb>[A-Z]+) " $verb;',
        '    default "";',
        "}",
        "map $request $request_path {",
        '    "~^[A-Z]+ (?<sent>[^?\\s]*)" $sent;',
        '    default "";',
        "}",
        "map $http_host $forwarded_host {",
        '    "" $host;',
        "    default $http_host;",
        "}",
        "# The language of an error page: the one the visitor chose (cookie), else their browser's first.",
        'map "$cookie_lang:$http_accept_language" $page_lang {',
        f'    "~^(?<chosen>{languages}):" $chosen;',
        f'    "~^[^:]*:(?:[^,]*,)*?\\s*(?<accepted>{languages})(?![a-z])" $accepted;',
        f"    default {i18n.DEFAULT};",
        "}",
        "# The shape of nginx's own errors: the API's JSON, Open311's JSON or XML, or a page.",
        "map $uri $error_shape {",
        '    "" api;  # a request line too long to be read: no address to tell by',
        '    "~^/open311/.*\\.xml$" open311/xml;',
        '    "~^/open311/" open311/json;',
        '    "~^/api/" api;',
        "    default pages/$page_lang;",
        "}",
        "# Each route's largest body, for its 413 (a JSON body's unless the route takes documents).",
        "map $uri $body_limit {",
        *(f'    "~{pattern}" {limit};' for pattern, limit in uploads.items()),
        f"    default {json_limit};",
        "}",
        "# The owner of a path two services share, by method.",
        *owner_maps(routes),
        "",
    ]
    connect, read = settings.upstream_connect_timeout, settings.upstream_timeout
    for service in UPSTREAMS:
        servers = [f"server {address} max_fails=1 fail_timeout=5s;" for address in entry.upstreams[service]]
        http += _block(
            f"upstream {service}",
            [
                *servers,
                f"keepalive {settings.upstream_pool};",
                f"keepalive_timeout {UPSTREAM_IDLE_SECONDS}s;",
            ],
        )
    http += _server(entry, routes, connect, read)
    out += [f"    {line}" if line else "" for line in http]
    out.append("}")
    return "\n".join(out) + "\n"


def _proxy_headers(cookies: bool) -> list[str]:
    return [
        "proxy_set_header Host $forwarded_host;",
        "proxy_set_header X-Request-ID $req_id;",
        "proxy_set_header X-Forwarded-For $forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        # Kept-alive connections to the instances: HTTP/1.1 without `Connection: close`.
        'proxy_set_header Connection "";',
        # The API uses bearer tokens: the pages' cookies never reach a service.
        *([] if cookies else ['proxy_set_header Cookie "";']),
    ]


def _server(entry: Entry, routes: list[routing.Route], connect: float, read: float) -> list[str]:
    lines = [
        f"listen {entry.listen} backlog=4096;",
        # $service and $allow are set by the locations; an error's location (reached by an internal
        # redirect, which runs this server's rewrites again) must not reset them.
        "uninitialized_variable_warn off;",
        "add_header X-Request-ID $req_id always;",
        "proxy_hide_header X-Request-ID;",
        "proxy_http_version 1.1;",
        *_proxy_headers(cookies=False),
        f"proxy_connect_timeout {_ms(connect)};",
        f"proxy_send_timeout {_ms(read)};",
        f"proxy_read_timeout {_ms(read)};",
        "proxy_buffers 16 16k;",
        "proxy_buffer_size 16k;",
        # An instance that cannot be reached, or fails before answering: the next one, for what
        # may be sent twice (reads; the submissions' locations add non_idempotent).
        "proxy_next_upstream error timeout;",
        "proxy_next_upstream_timeout 30s;",
        "",
        "error_page 400 /_errors/$error_shape/400;",
        "error_page 404 /_errors/$error_shape/404;",
        "error_page 405 /_errors/$error_shape/405;",
        "error_page 408 /_errors/$error_shape/408;",
        "error_page 413 /_errors/$error_shape/413-$body_limit;",
        "error_page 414 /_errors/$error_shape/414;",
        "error_page 494 =431 /_errors/$error_shape/431;",
        "error_page 500 /_errors/$error_shape/500;",
        "error_page 502 503 504 =503 /_errors/$error_shape/503-$service;",
        "",
    ]
    lines += _error_locations(entry.home / "errors")
    for route in routes:
        lines += _route_location(route)
    # Under /api/ and /open311/, a path the table does not hold is nobody's.
    lines += _block("location /api/", ["return 404;"])
    lines += _block("location /open311/", ["return 404;"])
    gateway = ["set $service gateway;", "proxy_pass http://gateway;", *_proxy_headers(cookies=True)]
    for path, limit in routing.PAGE_UPLOADS.items():
        lines += _block(_location(path), [f"client_max_body_size {routing.capped(limit())};", *gateway])
    # The pages' own files (the stylesheet, the maps' scripts) go compressed; never a page, which holds
    # a CSRF token (BREACH), nor an answer of the API.
    compressed = ["gzip on;", "gzip_types text/css text/javascript application/javascript;", "gzip_vary on;"]
    lines += _block("location /static/", [*compressed, *gateway])
    lines += _block("location /", gateway)
    return _block("server", lines)


def _route_location(route: routing.Route) -> list[str]:
    allowed = route.allowed
    lines = [
        f"if ($request_method !~ ^({'|'.join(allowed)})$) {{",
        f'    set $allow "{", ".join(allowed)}";',
        "    return 405;",
        "}",
    ]
    if route.upload_limit:
        lines.append(f"client_max_body_size {route.body_limit()};")
    if route.repeatable_post:
        lines.append("proxy_next_upstream error timeout non_idempotent;")
    services = route.services
    if len(services) == 1:
        lines += [f"set $service {services[0]};", f"proxy_pass http://{services[0]};"]
    else:  # one path, two services (Open311's requests: read by tracking, posted to intake)
        lines += [f"set $service {owner_variable(route)};", "proxy_pass http://$service;"]
    return _block(_location(route.path), lines)


def owner_variable(route: routing.Route) -> str:
    """Return the variable naming the owner of a path that two services share, by method."""
    return "$owner_" + "".join(c if c.isalnum() else "_" for c in route.path.strip("/"))


def owner_maps(routes: list[routing.Route]) -> list[str]:
    """Return a `map` per path two services share, naming its owner by method (HEAD as GET's)."""
    lines = []
    for route in routes:
        if len(route.services) > 1:
            owners = [f"    {method} {service};" for method, service in sorted(route.owners.items())]
            if "GET" in route.owners:
                owners.append(f"    HEAD {route.owners['GET']};")
            lines += [
                f"map $request_method {owner_variable(route)} {{",
                *owners,
                f"    default {route.services[0]};",
                "}",
            ]
    return lines


def _error_locations(root: Path) -> list[str]:
    """Return the internal locations that serve nginx's own errors from errors/, with their headers."""
    shapes = {
        "api": ("application/json", _api_headers()),
        "open311/json": ("application/json", _api_headers()),
        "open311/xml": ("text/xml", _api_headers()),
        "pages": ("text/html", _page_headers()),
    }
    lines: list[str] = []
    for shape, (content_type, headers) in shapes.items():
        body = [
            "internal;",
            f"root {root};",
            "etag off;",
            # The request's body, if any, is left unread here: a 503 after an upload is not a 413.
            "client_max_body_size 0;",
            f"default_type {content_type};",
            "charset utf-8;",
            "add_header X-Request-ID $req_id always;",
            "add_header Allow $allow always;",
            *_headers(headers),
        ]
        lines += _block(f"location ^~ /_errors/{shape}/", body)
    return lines


def _api_headers() -> dict[str, str]:
    """Return the headers the services give every answer, for nginx's own (HSTS is the TLS proxy's)."""
    return {name: value for name, value in security_headers().items() if name != "Strict-Transport-Security"}


def _page_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
    }


def _errors(limits: set[int]) -> dict[str, tuple[int, str, str]]:
    """Return nginx's own errors by file name: (status, the contract's code, message)."""
    found = {str(status): (status, code, message) for status, (code, message) in ERRORS.items()}
    for limit in limits:
        message = f"The body may be at most {bodies.size(limit)} on this route."
        found[f"413-{limit}"] = (413, "payload_too_large", message)
    for service in UPSTREAMS:
        message = f"The {service} service is unavailable; try again shortly."
        found[f"503-{service}"] = (503, "service_unavailable", message)
    return found


def _page(status: int, lang: str) -> str:
    """Return the gateway's error page for a status, in a language, as the gateway app renders it."""
    from flask import g, render_template

    key = ERROR_MESSAGES.get(status, "error.unexpected" if status >= 500 else "error.invalid")
    g.lang = lang
    return render_template("error.html", status=status, message=i18n.gettext(key))


def write(entry: Entry, folder: Path) -> Path:
    """Write nginx.conf and its error answers into folder (which nginx reads as entry.home)."""
    from gateway.app import create_app

    text = render(entry)
    errors = folder / "errors" / "_errors"
    shutil.rmtree(errors, ignore_errors=True)
    answers = _errors({_json_limit(), *_upload_limits(routing.routes()).values()})
    app = create_app()
    for name, (status, code, message) in answers.items():
        files = {
            f"api/{name}": json.dumps(error_body(code, message), ensure_ascii=False),
            f"open311/json/{name}": json.dumps(
                [{"code": status, "description": message}], ensure_ascii=False
            ),
            f"open311/xml/{name}": open311.to_xml(
                "errors", [{"code": status, "description": message}]
            ).decode(),
        }
        for lang in i18n.LANGUAGES:
            with app.test_request_context("/"):
                files[f"pages/{lang}/{name}"] = _page(status, lang)
        for path, body in files.items():
            target = errors / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body + "\n", encoding="utf-8")
    conf = folder / "nginx.conf"
    conf.write_text(text)
    return conf


def main(argv: list[str]) -> int:
    """Write the configuration docker-compose.yml mounts: `python -m gateway.nginx deploy/nginx`.

    Each upstream is the compose service's name, which Docker's DNS answers with every replica's
    address when nginx starts, and the port every container of the image listens on (PORT).
    """
    folder = Path(argv[0] if argv else "deploy/nginx")
    entry = Entry(
        listen="8080",
        upstreams={service: [f"{service}:8000"] for service in UPSTREAMS},
        home=Path("/etc/nginx/complaints"),
    )
    write(entry, folder)
    print(f"wrote {folder / 'nginx.conf'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
