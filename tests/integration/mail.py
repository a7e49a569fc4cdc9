"""A real SMTP server for notification's tests, and the submissions that make it send."""

from __future__ import annotations

import uuid
from email import policy
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller

from common.envelope import isoformat, new_event, utcnow
from launcher.smtp_sink import FolderHandler


class RefusingHandler(FolderHandler):
    """A mail server that refuses one address for good."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("refused"):
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class Mailbox:
    """A real SMTP server on a port of its own, filing what it receives in a folder."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port, self.controller = folder, port, None

    def start(self) -> None:
        self.controller = Controller(RefusingHandler(self.folder), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def messages(self, number: str | None = None) -> list:
        parser = BytesParser(policy=policy.default)
        found = [parser.parsebytes(p.read_bytes()) for p in sorted(self.folder.glob("*.eml"))]
        return [m for m in found if number is None or m["X-Complaint-Number"] == number]


def submitted(email: str, district: str = "sidi-moumen", language: str = "fr") -> dict:
    now = utcnow()
    return new_event(
        "complaint.submitted",
        source="intake",
        subject=f"RC-2026-{uuid.uuid4().hex[:7].upper()}",
        data={
            "kind": "complaint",
            "category": "roads",
            "category_name": {"fr": "Voirie", "ar": "الطرق", "en": "Roads"},
            "district": district,
            "district_name": {"fr": "Anfa", "ar": "أنفا", "en": "Anfa"},
            "subject": "Trou",
            "description": "Un trou",
            "citizen": {"email": email, "language": language},
            "submitted_at": isoformat(now),
            "ack_due": isoformat(now),
            "answer_due": isoformat(now),
        },
    )


def with_number(event: dict) -> dict:
    event["data"]["number"] = event["subject"]
    return event
