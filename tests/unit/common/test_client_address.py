"""The client's address as the services read it behind the gateway (and its proxies)."""

import pytest
from flask import Flask

from common import config
from common.web import client_address

app = Flask(__name__)


@pytest.mark.parametrize(
    ("header", "proxies", "expected"),
    [
        ("203.0.113.9", "0", "203.0.113.9"),  # the gateway's own record of who reached it
        ("6.6.6.6, 203.0.113.9", "0", "203.0.113.9"),  # what the client claims is not taken
        ("6.6.6.6, 203.0.113.9, 10.0.0.2", "1", "203.0.113.9"),  # one reverse proxy before the gateway
        ("203.0.113.9", "3", "203.0.113.9"),  # more proxies configured than entries: the first
        ("", "0", "192.0.2.1"),  # reached directly
    ],
)
def test_the_last_entry_the_gateway_added_is_the_client(monkeypatch, header, proxies, expected):
    monkeypatch.setenv("TRUSTED_PROXIES", proxies)
    config.reload()
    headers = {"X-Forwarded-For": header} if header else {}
    with app.test_request_context(headers=headers, environ_base={"REMOTE_ADDR": "192.0.2.1"}):
        assert client_address() == expected
