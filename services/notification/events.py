"""The events notification publishes: the outcome of each email, without its address."""

from __future__ import annotations

from common.envelope import new_event
from common.vocabulary import EventType
from services.notification.model import Email, Event, Report

SOURCE = "notification"


def report(trigger: Event, email: Email) -> Report:
    """Return what the outcome of an email says of it: which, to whom by role, for which event.

    An alert's email names its subscription (`alert`); its `number` is the report's. The request
    to confirm an alert and the weekly digest are of no one complaint: see `outcome`.
    """
    report: Report = {
        "number": trigger["data"].get("number"),
        "template": email["template"],
        "recipient_role": email["role"],
        "language": email["language"],
        "trigger": trigger["type"],
        "trigger_id": trigger["id"],
    }
    if email.get("alert_id"):
        report["alert"] = email["alert_id"]
    return report


def outcome(make, report: Report, *args) -> list[dict]:
    """Return the `notification.sent` or `.failed` of an email, or none for an email of no complaint.

    Those events are about a complaint (API.md: their subject is its number), so the alerts'
    requests to confirm and digests are only recorded in the deliveries and the logs.
    """
    return [make(report, *args)] if report["number"] else []


def sent(report: Report) -> dict:
    """Return the `notification.sent` of an email the mail server took."""
    return new_event(EventType.NOTIFICATION_SENT, source=SOURCE, subject=report["number"], data=report)


def failed(report: Report, status: str, reason: str) -> dict:
    """Return the `notification.failed` of an email refused for good (`failed`) or over the cap (`capped`)."""
    data = {**report, "reason": reason, "status": status}
    return new_event(EventType.NOTIFICATION_FAILED, source=SOURCE, subject=report["number"], data=data)
