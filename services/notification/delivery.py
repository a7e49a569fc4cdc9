"""Sending one planned email: once per event and recipient, under the hourly cap, reported either way."""

from __future__ import annotations

import logging

from pymongo.database import Database

from common import config, outbox
from common.consumer import DependencyUnavailable
from common.envelope import utcnow
from services.notification import events, links, mail, rules, store, templates
from services.notification.model import Email, Event, Report

log = logging.getLogger(__name__)


def cap_per_hour() -> int:
    """Return how many emails one address may receive in an hour."""
    return config.settings().mail_cap_per_hour


def deliver(db: Database, trigger: Event, email: Email) -> None:
    """Send one email unless it was already sent for this event and recipient.

    The delivery is recorded before sending under a key of the event, template and address: a
    redelivered event finds it done and sends nothing; one whose worker died before marking it
    finds it still `sending` and sends it again, with the same Message-ID.
    """
    number, template, recipient, role = (
        trigger["data"].get("number"),  # an alert's request to confirm and its digest are of no one complaint
        email["template"],
        email["recipient"],
        email["role"],
    )
    key = store.delivery_key(trigger["id"], template, recipient)
    delivery = store.record_intent(
        db, key=key, number=number, template=template, recipient=recipient, role=role
    )
    if delivery["status"] != "sending":
        return  # sent already, refused for good, or over the cap
    report = events.report(trigger, email)
    pool = rules.sending_pool(role)
    if not store.take_send_slot(db, recipient, key, cap_per_hour(), utcnow(), pool):
        _fail(db, key, report, "capped", "too many emails to this address in the last hour")
        return
    context = {**email["context"], **links.for_email(email, number)}
    subject, text, html = templates.render(template, email["language"], context)
    headers = {"X-Complaint-Number": number} if number else {}
    headers["X-Notification-Key"] = key
    if "unsubscribe_url" in context:  # an alert's: mail clients show their own button to stop
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
    try:
        message = mail.build(to=recipient, subject=subject, text=text, html=html, headers=headers, key=key)
        mail.send(message)
    except mail.TemporaryFailure as exc:
        # The mail server is down or busy: the consumer brings the event back later.
        store.mark_attempt(db, key)
        raise DependencyUnavailable(f"mail server: {exc}") from exc
    except mail.PermanentFailure as exc:
        store.free_send_slot(db, recipient, key, cap_per_hour(), pool)
        _fail(db, key, report, "failed", str(exc), attempted=True)
        return
    sent = events.outcome(events.sent, report)
    store.mark_done(db, key, status="sent", events=sent, attempted=True)
    outbox.publish_now(db, store.OUTBOX, key, sent)
    log.info("email sent", extra={"number": number, "template": template, "recipient_role": role})


def _fail(
    db: Database, key: str, report: Report, status: str, reason: str, *, attempted: bool = False
) -> None:
    failed = events.outcome(events.failed, report, status, reason)
    store.mark_done(db, key, status=status, events=failed, error=reason, attempted=attempted)
    outbox.publish_now(db, store.OUTBOX, key, failed)
    log.warning(
        "email not sent", extra={"number": report["number"], "template": report["template"], "status": status}
    )
