"""Clients sending their bodies a byte a second hold nothing but a connection of nginx's.

gunicorn's workers would wait on them: twelve such clients once made the catalogue time out for
33 s. nginx reads each body whole before a service or the gateway app sees it.
"""

from __future__ import annotations

import socket
import threading
import time

import requests

from tests.support import wait_for

SLOW = 16
SECONDS = 8


class SlowSender:
    """A client that announces a 200 kB body, then sends it a byte a second."""

    def __init__(self, port: int, path: str, content_type: str):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n"
            "Content-Length: 200000\r\n\r\n".encode()
        )
        self.sent = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        while not self.stopped.wait(1):
            self.sock.sendall(b" ")
            self.sent += 1

    def still_connected(self) -> bool:
        """Return whether the server still waits for the body: nothing answered, nothing closed."""
        self.sock.setblocking(False)
        try:
            return self.sock.recv(1) == b"x"  # b"" would be a close, data an answer
        except BlockingIOError:
            return True
        finally:
            self.sock.setblocking(True)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.sock.close()


def test_sixteen_slow_senders_on_the_api_and_on_the_pages_slow_nobody_else(platform):
    port = int(platform.url.rsplit(":", 1)[1])
    senders = [SlowSender(port, "/api/v1/complaints", "application/json") for _ in range(SLOW)]
    senders += [SlowSender(port, "/track", "application/x-www-form-urlencoded") for _ in range(SLOW)]
    try:
        wait_for(lambda: all(s.sent for s in senders), 10, 0.1, "every slow sender to trickle its first byte")
        slowest, answered = 0.0, 0
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            for method, path, body, expected in (
                ("GET", "/api/v1/catalog", None, 200),
                ("POST", "/api/v1/tracking", {"number": "RC-2026-AAAAAAA", "email": "a@example.org"}, 404),
                ("GET", "/track", None, 200),
                ("GET", "/health", None, 200),
            ):
                started = time.monotonic()
                answer = requests.request(method, f"{platform.url}{path}", json=body, timeout=10)
                took = time.monotonic() - started
                assert answer.status_code == expected, (path, answer.status_code)
                slowest, answered = max(slowest, took), answered + 1
        assert slowest < 2, f"an ordinary request took {slowest:.1f} s"
        assert answered >= 20
        assert all(sender.still_connected() for sender in senders), "nginx still waits for every body"
        assert min(sender.sent for sender in senders) >= SECONDS - 1
    finally:
        for sender in senders:
            sender.close()
