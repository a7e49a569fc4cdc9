"""Delivery to a mail server that demands STARTTLS and a login, with its certificate verified."""

from __future__ import annotations

import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from common import config
from launcher.smtp_sink import FolderHandler
from services.notification import mail
from tests.support import free_port


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"city",
        b"s3cret",
    )
    return AuthResult(success=ok)


@pytest.fixture
def secure_server(tmp_path, monkeypatch):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    port = free_port()
    inbox = tmp_path / "mail"
    controller = Controller(
        FolderHandler(inbox),
        hostname="127.0.0.1",
        port=port,
        server_hostname="localhost",
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticator,
        auth_require_tls=True,
    )
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "localhost")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_STARTTLS", "true")
    monkeypatch.setenv("SMTP_CA_FILE", str(cert))
    config.reload()
    yield inbox
    controller.stop()


def _message():
    return mail.build(to="amina@example.ma", subject="RC-2026-7K3P9QX", text="text", html="<p>html</p>")


def test_mail_goes_over_starttls_with_a_login(secure_server, monkeypatch):
    monkeypatch.setenv("SMTP_USER", "city")
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
    config.reload()
    mail.send(_message())
    assert len(list(secure_server.glob("*.eml"))) == 1


def test_an_unverifiable_certificate_is_not_trusted(secure_server, monkeypatch):
    monkeypatch.delenv("SMTP_CA_FILE")
    monkeypatch.setenv("SMTP_USER", "city")
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret")
    config.reload()
    with pytest.raises(mail.TemporaryFailure):
        mail.send(_message())
    assert list(secure_server.glob("*.eml")) == []
