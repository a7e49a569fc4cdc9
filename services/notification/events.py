"""The events notification publishes: the outcome of each email, without its address."""

from __future__ import annotations

from common.envelope import new_event
from common.vocabulary import EventType
from services.notification.model import Email, Event, Report

SOURCE = "notification"


def report(trigger: Event, email: Email) -> Report:
    """Return what the outcome of an email says of it: which, to whom by role, for which event."""
    return {
        "number": trigger["data"]["number"],
        "template": email["template"],
        "recipient_role": email["role"],
        "language": email["language"],
        "trigger": trigger["type"],
        "trigger_id": trigger["id"],
    }


def sent(report: Report) -> dict:
    """Return the `notification.sent` of an email the mail server took."""
    return new_event(EventType.NOTIFICATION_SENT, source=SOURCE, subject=report["number"], data=report)


def failed(report: Report, status: str, reason: str) -> dict:
    """Return the `notification.failed` of an email refused for good (`failed`) or over the cap (`capped`)."""
    data = {**report, "reason": reason, "status": status}
    return new_event(EventType.NOTIFICATION_FAILED, source=SOURCE, subject=report["number"], data=data)
