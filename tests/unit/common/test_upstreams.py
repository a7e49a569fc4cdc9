"""A service's instances: calls go round them, pass over one that refuses, never resend a sent one."""

from __future__ import annotations

import http.server
import threading

import pytest
import requests
import urllib3

from common import config, upstreams
from tests.support import free_port


class _Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's hook name
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_POST(self):  # noqa: N802 - http.server's hook name
        # Reads the request, then drops the connection without answering: sent, then lost.
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def live():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def service(monkeypatch, live):
    dead = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("INTAKE_URL", f"{dead}, {live}/")
    config.reload()
    upstreams._instances.clear()
    yield dead, live
    upstreams._instances.clear()


def test_one_url_or_several_separated_by_commas(monkeypatch):
    upstreams._instances.clear()
    monkeypatch.setenv("TRACKING_URL", "http://tracking:8000/")
    monkeypatch.delenv("FEEDBACK_URL", raising=False)
    config.reload()
    assert upstreams.instances("tracking").urls == ["http://tracking:8000"]
    assert upstreams.instances("feedback").urls == ["http://127.0.0.1:8084"]
    upstreams._instances.clear()


def test_calls_take_the_instances_in_turn_and_those_down_last():
    group = upstreams.Instances(["a", "b", "c"])
    assert [group.order()[0] for _ in range(4)] == ["a", "b", "c", "a"]
    group.failed("a")
    assert [group.order() for _ in range(3)] == [["b", "c", "a"], ["c", "b", "a"], ["b", "c", "a"]]


def test_a_refused_connection_goes_to_the_next_instance_with_requests_and_urllib3(service):
    dead, live = service
    for _ in range(4):  # whichever instance comes first in turn
        answer = upstreams.call("intake", lambda base: requests.get(f"{base}/x", timeout=2))
        assert answer.status_code == 200 and answer.url.startswith(live)
        pooled = upstreams.call(
            "intake", lambda base: urllib3.connection_from_url(base, retries=False).urlopen("GET", "/x")
        )
        assert pooled.status == 200
    assert upstreams.instances("intake").order()[-1] == dead


def test_a_request_sent_and_then_lost_is_not_sent_again(service):
    dead, live = service
    sent = []

    def post(base):
        sent.append(base)
        return requests.post(f"{base}/complaints", data=b"{}", timeout=2)

    for _ in range(2):
        sent.clear()
        with pytest.raises(requests.ConnectionError):
            upstreams.call("intake", post)
        assert sent[-1] == live and sent.count(live) == 1


def test_when_every_instance_is_down_the_error_is_raised(monkeypatch):
    monkeypatch.setenv("NOTIFICATION_URL", f"http://127.0.0.1:{free_port()},http://127.0.0.1:{free_port()}")
    config.reload()
    upstreams._instances.clear()
    with pytest.raises(requests.ConnectionError):
        upstreams.call("notification", lambda base: requests.get(base, timeout=2))
    upstreams._instances.clear()


class _Answers(_Answer):
    def do_POST(self):  # noqa: N802 - http.server's hook name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(201)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def test_a_repeatable_request_whose_answer_was_lost_goes_to_the_next_instance(monkeypatch, live):
    answering = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    threading.Thread(target=answering.serve_forever, daemon=True).start()
    other = f"http://127.0.0.1:{answering.server_address[1]}"
    monkeypatch.setenv("INTAKE_URL", f"{live},{other}")  # the first drops every POST unanswered
    config.reload()
    upstreams._instances.clear()
    try:
        for _ in range(4):
            sent = []

            def post(base, sent=sent):
                sent.append(base)
                return requests.post(f"{base}/complaints", data=b"{}", timeout=2)

            assert upstreams.call("intake", post, repeatable=True).status_code == 201
            assert sent[-1] == other and len(sent) <= 2
    finally:
        answering.shutdown()
        upstreams._instances.clear()
