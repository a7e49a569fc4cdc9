"""Sending email over SMTP, with STARTTLS and authentication when configured."""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from common import config


class TemporaryFailure(RuntimeError):
    """The server could not take the message now; try again later."""


class PermanentFailure(RuntimeError):
    """The server refused the message for good."""


def sender() -> str:
    """Return the From address."""
    return config.get("MAIL_FROM", "Réclamations Casablanca <no-reply@reclamations.localhost>")


def build(
    *, to: str, subject: str, text: str, html: str, headers: dict | None = None, key: str | None = None
) -> EmailMessage:
    """Return a message with plain text and HTML alternatives.

    With a key (the delivery's), the Message-ID is derived from it: a message sent again after a
    stop at the wrong moment is the same message to the receiving side, which may drop it.
    """
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


def send(message: EmailMessage) -> None:
    """Deliver the message, or raise TemporaryFailure or PermanentFailure."""
    host = config.get("SMTP_HOST", "127.0.0.1")
    port = config.get_int("SMTP_PORT", 8025)
    try:
        # SMTP_SSL: TLS from the first byte (port 465); SMTP_STARTTLS: upgrade a plain connection (587).
        # Certificates are verified (against SMTP_CA_FILE when the server's CA is a private one).
        tls = ssl.create_default_context(cafile=config.get("SMTP_CA_FILE"))
        timeout = config.get_float("SMTP_TIMEOUT", 10)
        if config.get_bool("SMTP_SSL"):
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls)
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client as smtp:
            if config.get_bool("SMTP_STARTTLS"):
                smtp.starttls(context=tls)
            user = config.get("SMTP_USER")
            if user:
                smtp.login(user, config.get("SMTP_PASSWORD", ""))
            smtp.send_message(message)
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise PermanentFailure(scrub(f"{exc.smtp_code} {exc.smtp_error!r}")) from exc
        raise TemporaryFailure(scrub(f"{exc.smtp_code} {exc.smtp_error!r}")) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        answers = "; ".join(f"{code} {reply!r}" for code, reply in exc.recipients.values())
        raise PermanentFailure(scrub(f"recipient refused: {answers}")) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryFailure(scrub(repr(exc))) from exc


_ADDRESS = re.compile(r"[^\s<>\"'(),;:]+@[^\s<>\"'(),;:]+")


def scrub(reason: str) -> str:
    """Return a mail server's reason without the addresses it may quote (they go to events and logs)."""
    return _ADDRESS.sub("<address>", reason)
