"""nginx, the public entry point, as `make run` configures it (gateway/nginx.py), in front of stand-ins.

Each stand-in instance answers with what it received: these tests show where nginx sends each
request, with which headers and body, and what nginx answers itself without asking anyone.
"""

from __future__ import annotations

import json
import re
import socket
import threading

import pytest
import requests
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.serving import make_server

from common import bodies, errors, uploads
from gateway import routing
from tests.support import EntryPoint, free_port, wait_for
from tests.unit.gateway.apps import APPS

NUMBER = "RC-2026-AAAAAAA"
SERVICES = ("intake", "tracking", "feedback", "gateway")


class StandIn:
    """An instance of a service that answers every request with what it received, and notes it."""

    def __init__(self, name: str):
        self.name, self.seen = name, []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.address = f"127.0.0.1:{self.server.server_port}"

    def app(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {
            key[5:].replace("_", "-").title(): value for key, value in environ.items() if key[:5] == "HTTP_"
        }
        seen = {
            "service": self.name,
            "method": environ["REQUEST_METHOD"],
            "uri": environ["REQUEST_URI"],
            "headers": headers,
            "body_bytes": len(body),
        }
        self.seen.append(seen)
        answer = [("Content-Type", "application/json"), ("X-Request-ID", headers.get("X-Request-Id", ""))]
        start_response("200 OK", answer)
        return [json.dumps(seen).encode()]

    def stop(self) -> None:
        self.server.shutdown()


class Dropper:
    """An instance that takes each request whole, then closes the connection without an answer."""

    def __init__(self):
        self.requests = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            with connection:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                if data:
                    self.requests += 1

    def stop(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def stand_ins():
    instances = {name: StandIn(name) for name in SERVICES}
    yield instances
    for instance in instances.values():
        instance.stop()


@pytest.fixture(scope="module")
def entry(stand_ins):
    point = EntryPoint({name: [instance.address] for name, instance in stand_ins.items()}).start()
    yield point
    point.stop()


def entry_address(entry: EntryPoint, upstream: str) -> str:
    """Return the address of the (only) instance of an upstream in the entry point's configuration."""
    return re.search(rf"upstream {upstream} {{\s*server (\S+) ", entry.conf.read_text()).group(1)


def concrete(path: str) -> str:
    """Return an address of a rule: its variables given values."""
    return re.sub(
        r"<(?:\w+:)?(\w+)>", lambda m: NUMBER if m.group(1) == "number" else f"{m.group(1)}-1", path
    )


def werkzeugs_allow(path: str, owner: str) -> str:
    """Return the `Allow` the owner's own routing gives a method it does not take at the address."""
    adapter = APPS[owner]().url_map.bind("localhost")
    with pytest.raises(MethodNotAllowed) as refused:
        adapter.match(path, method="TRACE")
    return errors.allow(refused.value.valid_methods)


def test_every_route_of_the_table_reaches_its_owner_as_it_was_sent(entry):
    for route in routing.routes():
        for method, owner in route.owners.items():
            path = concrete(route.path)
            answer = requests.request(method, f"{entry.url}{path}?lang=ar&q=%C3%A9", timeout=5)
            assert answer.status_code == 200, (method, path, answer.text)
            seen = answer.json()
            assert (seen["service"], seen["method"]) == (owner, method), path
            assert seen["uri"] == f"{path}?lang=ar&q=%C3%A9"


def test_the_pages_health_and_metrics_go_to_the_gateway_app(entry):
    for path in (
        "/",
        "/track",
        "/staff/login",
        f"/complaints/{NUMBER}",
        "/health",
        "/metrics",
        "/static/app.css",
    ):
        assert requests.get(f"{entry.url}{path}", timeout=5).json()["service"] == "gateway", path


def test_the_path_and_query_reach_the_service_encoded_as_the_client_sent_them(entry):
    sent = "/api/v1/complaints/RC%3Fx=1%23y/documents/%ED%A0%80?lang=fr&x=%FF"
    seen = requests.get(f"{entry.url}{sent}", timeout=5).json()
    assert (seen["service"], seen["uri"]) == ("tracking", sent)


def test_a_method_an_address_does_not_take_is_405_with_the_allow_its_owner_would_give(entry, stand_ins):
    asked = sum(len(instance.seen) for instance in stand_ins.values())
    for route in routing.routes():
        owner = route.services[0]
        refused = next(m for m in ("DELETE", "PATCH", "PUT", "POST", "GET") if m not in route.allowed)
        answer = requests.request(refused, f"{entry.url}{concrete(route.path)}", timeout=5)
        assert answer.status_code == 405, route.path
        if len(route.services) == 1:  # two owners: each gives its own methods, nginx the union
            assert answer.headers["Allow"] == werkzeugs_allow(concrete(route.path), owner), route.path
        assert answer.headers["Allow"] == ", ".join(route.allowed)
        if route.path.endswith(".xml"):
            assert answer.text.startswith("<?xml") and "<code>405</code>" in answer.text
        elif route.open311:
            assert answer.json() == [{"code": 405, "description": answer.json()[0]["description"]}]
        else:
            assert answer.json()["error"]["code"] == "method_not_allowed"
    assert sum(len(instance.seen) for instance in stand_ins.values()) == asked, "nobody was asked"


def test_open311s_requests_go_to_tracking_to_read_and_to_intake_to_post(entry):
    for fmt in ("json", "xml"):
        assert (
            requests.get(f"{entry.url}/open311/v2/requests.{fmt}", timeout=5).json()["service"] == "tracking"
        )
        assert requests.head(f"{entry.url}/open311/v2/requests.{fmt}", timeout=5).status_code == 200
        assert (
            requests.post(f"{entry.url}/open311/v2/requests.{fmt}", timeout=5).json()["service"] == "intake"
        )


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/api/v1/nothing-here", "api"),
        ("/api/v1/catalog/", "api"),
        ("/api/v1/complaints/RC-1/remarks/more", "api"),
        ("/api/v2/catalog", "api"),
        ("/open311/v2/nothing.json", "json"),
        ("/open311/v2/services.csv", "json"),
        ("/open311/v2/nothing.xml", "xml"),
    ],
)
def test_an_address_nobody_serves_is_nginxs_404_in_the_shape_of_its_api(entry, path, shape):
    answer = requests.get(f"{entry.url}{path}", timeout=5)
    assert answer.status_code == 404
    if shape == "api":
        assert answer.json()["error"]["code"] == "not_found"
        assert answer.headers["Content-Type"].startswith("application/json")
    elif shape == "json":
        assert answer.json()[0]["code"] == 404
    else:
        assert answer.headers["Content-Type"].startswith("text/xml") and "<code>404</code>" in answer.text
    assert (
        answer.headers["X-Content-Type-Options"] == "nosniff"
        and answer.headers["Cache-Control"] == "no-store"
    )


def chunks(size: int, piece: int = 64 * 1024):
    sent = 0
    while sent < size:
        yield b"x" * min(piece, size - sent)
        sent += piece


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/tracking", "application/json"),
        ("/api/v1/complaints/RC-2026-AAAAAAA/remarks", "application/json"),
        ("/api/v1/staff/login", "application/json"),
        ("/api/v1/staff/complaints/RC-2026-AAAAAAA/transitions", "application/json"),
    ],
)
def test_a_json_body_over_the_limit_is_nginxs_413_and_never_reaches_the_service(
    entry, stand_ins, path, content_type
):
    limit = bodies.json_bytes()
    asked = len(stand_ins["tracking"].seen)
    headers = {"Content-Type": content_type}
    answer = requests.post(f"{entry.url}{path}", data=b"x" * (limit + 1), headers=headers, timeout=10)
    assert answer.status_code == 413
    assert answer.json()["error"] == {
        "code": "payload_too_large",
        "message": "The body may be at most 256 kB on this route.",
    }
    sent_in_chunks = requests.post(f"{entry.url}{path}", data=chunks(limit + 1), headers=headers, timeout=10)
    assert sent_in_chunks.status_code == 413
    assert len(stand_ins["tracking"].seen) == asked
    within = requests.post(f"{entry.url}{path}", data=b" " * limit, headers=headers, timeout=10)
    assert within.status_code == 200 and within.json()["body_bytes"] == limit


def test_the_upload_routes_take_their_documents_and_no_more(entry):
    document = uploads.document_bytes()
    for path, owner in (
        (f"/api/v1/complaints/{NUMBER}/documents", "tracking"),
        (f"/api/v1/staff/complaints/{NUMBER}/documents", "tracking"),
        ("/api/v1/complaints", "intake"),
    ):
        taken = requests.post(f"{entry.url}{path}", data=b"x" * document, timeout=30)
        assert taken.status_code == 200 and taken.json() == {
            **taken.json(),
            "service": owner,
            "body_bytes": document,
        }
    refused = requests.post(
        f"{entry.url}/api/v1/complaints/{NUMBER}/documents", data=chunks(document + 1), timeout=30
    )
    assert refused.status_code == 413 and "10.1 MB" in refused.json()["error"]["message"]
    submission = uploads.submission_bytes()
    too_many = requests.post(f"{entry.url}/api/v1/complaints", data=chunks(submission + 1), timeout=60)
    assert too_many.status_code == 413 and bodies.size(submission) in too_many.json()["error"]["message"]


def test_open311s_413_is_in_its_shape(entry):
    big = b"x" * (bodies.json_bytes() + 1)
    answer = requests.post(f"{entry.url}/open311/v2/requests.json", data=big, timeout=10)
    assert answer.status_code == 413 and answer.json()[0]["code"] == 413
    xml = requests.post(f"{entry.url}/open311/v2/requests.xml", data=big, timeout=10)
    assert xml.status_code == 413 and "<code>413</code>" in xml.text


def test_a_pages_upload_goes_to_the_gateway_app_and_a_body_too_large_is_a_page_in_the_visitors_language(
    entry,
):
    document = uploads.document_bytes()
    taken = requests.post(f"{entry.url}/complaints/{NUMBER}/documents", data=b"x" * document, timeout=30)
    assert taken.json()["service"] == "gateway" and taken.json()["body_bytes"] == document
    assert requests.post(f"{entry.url}/", data=b"x" * document, timeout=30).json()["service"] == "gateway"
    too_large = requests.post(
        f"{entry.url}/track",
        data=b"x" * (bodies.json_bytes() + 1),
        headers={"Accept-Language": "ar-MA,fr;q=0.8"},
        timeout=10,
    )
    assert too_large.status_code == 413 and too_large.headers["Content-Type"].startswith("text/html")
    assert '<html lang="ar" dir="rtl">' in too_large.text and "<h1>" in too_large.text
    assert "default-src 'none'" in too_large.headers["Content-Security-Policy"]
    chosen = requests.post(
        f"{entry.url}/track",
        data=b"x" * (bodies.json_bytes() + 1),
        cookies={"lang": "en"},
        headers={"Accept-Language": "ar"},
        timeout=10,
    )
    assert '<html lang="en"' in chosen.text


def test_the_request_id_is_the_clients_when_it_is_fit_and_is_answered_once(entry):
    seen = requests.get(f"{entry.url}/api/v1/catalog", headers={"X-Request-ID": "abc-123"}, timeout=5)
    assert seen.json()["headers"]["X-Request-Id"] == "abc-123" and seen.headers["X-Request-ID"] == "abc-123"
    assert seen.raw.headers.getlist("X-Request-ID") == ["abc-123"]
    for unfit in ("x" * 65, "caf\u00e9".encode().decode("latin-1")):
        answer = requests.get(f"{entry.url}/api/v1/catalog", headers={"X-Request-ID": unfit}, timeout=5)
        own = answer.json()["headers"]["X-Request-Id"]
        assert re.fullmatch(r"[0-9a-f]{32}", own) and answer.headers["X-Request-ID"] == own
    refused = requests.delete(f"{entry.url}/api/v1/catalog", headers={"X-Request-ID": "abc-456"}, timeout=5)
    assert refused.headers["X-Request-ID"] == "abc-456"


def test_the_services_get_the_clients_address_last_and_never_the_pages_cookies(entry):
    plain = requests.get(
        f"{entry.url}/api/v1/catalog", cookies={"complaints_session": "secret"}, timeout=5
    ).json()
    assert plain["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert "Cookie" not in plain["headers"] and plain["headers"]["Host"] == entry.url.removeprefix("http://")
    behind = requests.get(f"{entry.url}/api/v1/stats", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=5)
    assert behind.json()["headers"]["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1"
    page = requests.get(f"{entry.url}/track", cookies={"complaints_session": "secret"}, timeout=5).json()
    assert page["headers"]["Cookie"] == "complaints_session=secret"
    assert page["headers"]["X-Forwarded-For"] == "127.0.0.1"


@pytest.fixture
def nobody_up():
    point = EntryPoint({name: [f"127.0.0.1:{free_port()}"] for name in SERVICES}).start()
    yield point
    point.stop()


def test_a_service_that_is_down_is_a_503_naming_it_in_the_shape_of_its_api(nobody_up):
    answer = requests.post(f"{nobody_up.url}/api/v1/tracking", json={}, timeout=10)
    assert answer.status_code == 503
    assert answer.json()["error"] == {
        "code": "service_unavailable",
        "message": "The tracking service is unavailable; try again shortly.",
    }
    assert "intake" in requests.get(f"{nobody_up.url}/api/v1/catalog", timeout=10).json()["error"]["message"]
    xml = requests.get(f"{nobody_up.url}/open311/v2/requests.xml", timeout=10)
    assert xml.status_code == 503 and "<code>503</code>" in xml.text and "tracking" in xml.text
    posted = requests.post(f"{nobody_up.url}/open311/v2/requests.json", data=b"x" * 300_000, timeout=10)
    assert posted.status_code == 413  # past its limit, whoever is up
    upload = requests.post(
        f"{nobody_up.url}/api/v1/complaints/{NUMBER}/documents", data=b"x" * 300_000, timeout=10
    )
    assert upload.status_code == 503 and "tracking" in upload.json()["error"]["message"]


def test_the_pages_when_the_gateway_app_is_down_are_a_page_saying_so(nobody_up):
    answer = requests.get(f"{nobody_up.url}/track", headers={"Accept-Language": "en"}, timeout=10)
    assert answer.status_code == 503 and answer.headers["Content-Type"].startswith("text/html")
    assert "<h1>" in answer.text and '<html lang="en"' in answer.text


@pytest.fixture
def droppers():
    """Two instances of tracking that lose every answer, the others stand-ins."""
    lost = [Dropper(), Dropper()]
    point = EntryPoint(
        {
            "intake": [lost[0].address, lost[1].address],
            "tracking": [lost[0].address, lost[1].address],
            "feedback": [f"127.0.0.1:{free_port()}"],
            "gateway": [f"127.0.0.1:{free_port()}"],
        }
    ).start()
    yield lost, point
    point.stop()
    for dropper in lost:
        dropper.stop()


@pytest.mark.parametrize(
    ("method", "path", "tries"),
    [
        ("GET", f"/api/v1/complaints/{NUMBER}", 2),  # a read
        ("POST", "/api/v1/tracking", 2),  # a lookup
        ("POST", "/api/v1/complaints", 2),  # a submission: intake records it once per request id
        ("POST", "/open311/v2/requests.json", 2),
        ("POST", f"/api/v1/complaints/{NUMBER}/remarks", 1),  # may have been recorded: never twice
        ("POST", f"/api/v1/staff/complaints/{NUMBER}/transitions", 1),
        ("PATCH", "/api/v1/staff/members/agent", 1),
    ],
)
def test_only_what_may_be_sent_twice_goes_to_another_instance_when_an_answer_is_lost(
    droppers, method, path, tries
):
    lost, point = droppers
    answer = requests.request(method, f"{point.url}{path}", json={"x": 1}, timeout=10)
    assert answer.status_code == 503
    assert sum(dropper.requests for dropper in lost) == tries


def test_the_access_log_keeps_each_request_without_its_query_or_its_client(entry):
    """The request log: no search's words, no link's token, no address (personal data, law 09-08)."""
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Request-ID": "logged-1"}
    requests.get(
        f"{entry.url}/api/v1/staff/complaints?q=amina@example.org&t=secret", headers=headers, timeout=5
    )
    refused = {"X-Request-ID": "logged-2"}
    requests.delete(f"{entry.url}/api/v1/complaints/RC-1%FF/remarks?t=secret", headers=refused, timeout=5)
    log = entry.folder / "access.log"

    def logged(request_id: str) -> dict | None:
        lines = log.read_text().splitlines() if log.exists() else []
        return next((json.loads(line) for line in lines if f'"request_id":"{request_id}"' in line), None)

    line = wait_for(lambda: logged("logged-1"), 5, 0.1, "the request in the access log")
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/v1/staff/complaints", 200)
    assert line["upstream"] == entry_address(entry, "tracking") and float(line["seconds"]) >= 0
    # nginx's own answer is logged as the request the client sent, its path as sent.
    own = wait_for(lambda: logged("logged-2"), 5, 0.1, "the refused request in the access log")
    assert (own["method"], own["path"], own["status"]) == (
        "DELETE",
        "/api/v1/complaints/RC-1%FF/remarks",
        405,
    )
    text = log.read_text()
    assert "amina" not in text and "secret" not in text and "203.0.113.9" not in text
    text.encode("ascii")  # every line is JSON, whatever bytes a path held


def test_headers_or_an_address_too_large_are_refused_in_the_shape_of_the_api(entry, stand_ins):
    asked = sum(len(instance.seen) for instance in stand_ins.values())
    headers = requests.get(f"{entry.url}/api/v1/catalog", headers={"X-Filler": "x" * 20_000}, timeout=5)
    assert headers.status_code == 431 and headers.json()["error"]["code"] == "bad_request"
    # An address too long to be read tells nothing of whose it is: the API's JSON.
    for path in ("/open311/v2/services.xml", "/track", "/api/v1/catalog"):
        address = requests.get(f"{entry.url}{path}?q={'x' * 20_000}", timeout=5)
        assert address.status_code == 414 and address.json()["error"]["code"] == "uri_too_long"
    assert sum(len(instance.seen) for instance in stand_ins.values()) == asked
