"""Sending email over SMTP, with STARTTLS and authentication when configured."""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
import threading
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from common import config

# No header may hold a control character (C0, DEL, C1): a raw CR or LF would add a header, others
# reach mail clients as they are.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class TemporaryFailure(RuntimeError):
    """The server could not take the message now; try again later."""


class PermanentFailure(RuntimeError):
    """The server refused the message for good."""


def sender() -> str:
    """Return the From address."""
    return config.settings().mail_from


def build(
    *, to: str, subject: str, text: str, html: str, headers: dict | None = None, key: str | None = None
) -> EmailMessage:
    """Return a message with plain text and HTML alternatives.

    With a key (the delivery's), the Message-ID is derived from it: a message sent again after a
    stop at the wrong moment is the same message to the receiving side, which may drop it.
    """
    values = [sender(), to, subject, *(headers or {}).values()]
    if any(_CONTROL.search(value) for value in values):
        # Defence in depth: the edge refuses such addresses and drops such characters from text.
        raise PermanentFailure("a header would hold a control character: not sent")
    message = EmailMessage()
    message["From"] = sender()
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    domain = sender().rpartition("@")[2].rstrip(">") or "localhost"
    if key:
        message["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"
    else:
        message["Message-ID"] = make_msgid(domain=domain)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


_open = threading.local()


def _connect() -> smtplib.SMTP:
    settings = config.settings()
    host, port = settings.smtp_host, settings.smtp_port
    # SMTP_SSL: TLS from the first byte (port 465); SMTP_STARTTLS: upgrade a plain connection (587).
    # Certificates are verified (against SMTP_CA_FILE when the server's CA is a private one).
    tls = ssl.create_default_context(cafile=settings.smtp_ca_file)
    timeout = settings.smtp_timeout
    if settings.smtp_ssl:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if settings.smtp_starttls:
            smtp.starttls(context=tls)
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _connection() -> tuple[smtplib.SMTP, bool]:
    """Return this thread's connection and whether it was used before, opening one when needed.

    A connection is kept for SMTP_REUSE_SECONDS after its last message: one connection, greeting
    and login per burst of emails rather than per email.
    """
    settings = config.settings()
    server = (
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_ssl,
        settings.smtp_starttls,
        settings.smtp_user,
    )
    smtp, last = getattr(_open, "smtp", None), getattr(_open, "last", 0.0)
    fresh = time.monotonic() - last <= settings.smtp_reuse_seconds
    if smtp is not None and fresh and getattr(_open, "server", None) == server:
        return smtp, True
    _close()
    _open.smtp, _open.server = _connect(), server
    return _open.smtp, False


def _close() -> None:
    smtp, _open.smtp = getattr(_open, "smtp", None), None
    if smtp is not None:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def send(message: EmailMessage) -> None:
    """Deliver the message, or raise TemporaryFailure or PermanentFailure."""
    try:
        smtp, reused = _connection()
        try:
            smtp.send_message(message)
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            if not reused:
                raise
            # The server closed the kept connection while it was idle: the message was not taken.
            _close()
            smtp, _reused = _connection()
            smtp.send_message(message)
        _open.last = time.monotonic()
    except (smtplib.SMTPException, OSError) as exc:
        _close()  # after a failure, the next message starts on a fresh connection
        raise _failure(exc) from exc


def _failure(exc: Exception) -> Exception:
    if isinstance(exc, smtplib.SMTPResponseException):
        reason = scrub(f"{exc.smtp_code} {exc.smtp_error!r}")
        return PermanentFailure(reason) if 500 <= exc.smtp_code < 600 else TemporaryFailure(reason)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = "; ".join(f"{code} {reply!r}" for code, reply in exc.recipients.values())
        return PermanentFailure(scrub(f"recipient refused: {answers}"))
    return TemporaryFailure(scrub(repr(exc)))


_ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")


def scrub(reason: str) -> str:
    """Return a mail server's reason without the addresses it may quote (they go to events and logs)."""
    return _ADDRESS.sub("<address>", reason)
