"""Notification's rules: one email per event and recipient, in the citizen's language."""

from __future__ import annotations

import logging
from datetime import datetime

from pymongo.database import Database

from common import config, outbox
from common.consumer import DependencyUnavailable
from common.envelope import new_event
from services.notification import mail, store, templates

log = logging.getLogger(__name__)
SOURCE = "notification"


def public_url() -> str:
    """Return the address citizens reach the platform at."""
    default = f"http://localhost:{config.get('GATEWAY_PORT', '8080')}"
    return config.get("PUBLIC_URL", default).rstrip("/")


def format_date(value: str) -> str:
    """Return a day as citizens read it (day/month/year, UTC)."""
    return datetime.fromisoformat(value).strftime("%d/%m/%Y")


def acknowledgement(db: Database, event: dict) -> None:
    """Send the acknowledgement of receipt to the citizen of a submitted complaint."""
    data = event["data"]
    citizen = data["citizen"]
    language = citizen.get("language") or "fr"
    context = {
        "number": data["number"],
        "citizen_name": citizen.get("name"),
        "complaint_subject": data["subject"],
        "category_name": (data.get("category_name") or {}).get(language, data["category"]),
        "district_name": (data.get("district_name") or {}).get(language, data["district"]),
        "submitted_at": format_date(data["submitted_at"]),
        "ack_due": format_date(data["ack_due"]),
        "answer_due": format_date(data["answer_due"]),
        "tracking_url": f"{public_url()}/track?number={data['number']}",
    }
    deliver(
        db,
        event,
        template="acknowledgement",
        recipient=citizen["email"],
        role="citizen",
        language=language,
        context=context,
    )


def deliver(
    db: Database, event: dict, *, template: str, recipient: str, role: str, language: str, context: dict
) -> None:
    """Send one email unless it was already sent for this event and recipient."""
    number = event["data"]["number"]
    key = store.delivery_key(event["id"], template, recipient)
    delivery = store.record_intent(db, key=key, number=number, template=template)
    if delivery["status"] != "sending":
        return  # already sent, or refused for good
    subject, text, html = templates.render(template, language, context)
    message = mail.build(
        to=recipient,
        subject=subject,
        text=text,
        html=html,
        headers={"X-Complaint-Number": number, "X-Notification-Key": key},
    )
    store.mark_attempt(db, key)
    report = {
        "number": number,
        "template": template,
        "recipient_role": role,
        "language": language,
        "trigger": event["type"],
        "trigger_id": event["id"],
    }
    try:
        mail.send(message)
    except mail.TemporaryFailure as exc:
        # The mail server is down or busy: the consumer brings the event back later.
        raise DependencyUnavailable(f"mail server: {exc}") from exc
    except mail.PermanentFailure as exc:
        failed = new_event(
            "notification.failed", source=SOURCE, subject=number, data={**report, "reason": str(exc)}
        )
        store.mark_done(db, key, status="failed", events=[failed], error=str(exc))
        outbox.publish_now(db, store.OUTBOX, key, [failed])
        log.warning("email refused for good", extra={"number": number, "template": template})
        return
    sent = new_event("notification.sent", source=SOURCE, subject=number, data=report)
    store.mark_done(db, key, status="sent", events=[sent])
    outbox.publish_now(db, store.OUTBOX, key, [sent])
    log.info("email sent", extra={"number": number, "template": template})
