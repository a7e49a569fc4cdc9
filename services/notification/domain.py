"""Notification's rules: the right email to the right person at every step, once per event."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlencode

from pymongo.database import Database

from common import config, outbox, tokens
from common.consumer import DependencyUnavailable
from common.envelope import new_event, utcnow
from services.notification import mail, store, templates

log = logging.getLogger(__name__)
SOURCE = "notification"
DISTRICT_STAFF = ("agent", "supervisor")


class NotYetKnown(DependencyUnavailable):
    """An event about a complaint whose submission this service has not seen yet: try it later."""


def public_url() -> str:
    """Return the address citizens and staff reach the platform at."""
    settings = config.settings()
    return settings.public_url or f"http://localhost:{settings.gateway_port}"


def cap_per_hour() -> int:
    """Return how many emails one address may receive in an hour."""
    return config.settings().mail_cap_per_hour


# ---- what each event calls for -------------------------------------------------------------


def on_submitted(db: Database, event: dict) -> None:
    """Acknowledge receipt to the citizen and tell the district's staff of a new complaint."""
    data = event["data"]
    citizen = data["citizen"]
    contact = store.remember_complaint(
        db,
        data["number"],
        {
            "email": citizen["email"],
            "name": citizen.get("name"),
            "language": citizen.get("language") or "fr",
            "district": data["district"],
            "district_name": data.get("district_name") or {},
            "category": data["category"],
            "category_name": data.get("category_name") or {},
            "subject": data["subject"],
            "description": data["description"],
            "kind": data["kind"],
            "ack_due": data["ack_due"],
            "answer_due": data["answer_due"],
        },
    )
    _to_citizen(
        db,
        event,
        contact,
        "acknowledgement",
        ack_due=data["ack_due"],
        answer_due=data["answer_due"],
        submitted_at=data["submitted_at"],
    )
    _to_staff(
        db,
        event,
        contact,
        "staff_new",
        DISTRICT_STAFF if data["district"] else ("admin",),
        placement="new" if data["district"] else "unplaced",
        kind=data["kind"],
        description=data["description"],
        ack_due=data["ack_due"],
        answer_due=data["answer_due"],
    )


def on_placed(db: Database, event: dict) -> None:
    """Tell the staff of the district a complaint was placed in, as of a new complaint there."""
    data = event["data"]
    _contact(db, data["number"])
    contact = store.place_complaint(
        db,
        data["number"],
        data["district"],
        data.get("district_name") or {},
        datetime.fromisoformat(data["at"]),
    )
    if contact["district"] != data["district"]:
        return  # a later placement is known: that one tells its district
    _to_staff(
        db,
        event,
        contact,
        "staff_new",
        DISTRICT_STAFF,
        placement="placed",
        kind=contact["kind"],
        description=contact.get("description") or "",
        ack_due=contact.get("ack_due"),
        answer_due=contact.get("answer_due"),
    )


def on_status_changed(db: Database, event: dict) -> None:
    """Tell the citizen of every status change, with its public note (never an internal one)."""
    data = event["data"]
    contact = _contact(db, data["number"])
    status = data["status"]
    if status == "reopened":
        _to_citizen(
            db,
            event,
            contact,
            "reopened",
            reason=data.get("public_note") or "",
            answer_due=data["answer_due"],
        )
    elif status in ("resolved", "rejected"):
        window = timedelta(days=config.settings().reopen_window_days)
        can_reopen = data.get("reopen_count", 0) < config.settings().reopen_limit
        _to_citizen(
            db,
            event,
            contact,
            "answer",
            status=status,
            public_note=data.get("public_note"),
            reason=data.get("reason"),
            at=data["at"],
            can_reopen=can_reopen,
            reopen_until=datetime.fromisoformat(data["at"]) + window,
        )
    else:
        _to_citizen(
            db,
            event,
            contact,
            "status",
            status=status,
            public_note=data.get("public_note"),
            at=data["at"],
        )
    if data.get("duplicate_of"):
        return  # merged: its followers now follow the kept complaint, and are told so from there
    # The city's public note when the citizen consented to publish the complaint; never the
    # citizen's own words (a reopening's reason is theirs).
    answer = data.get("public_note") if data.get("published") and data.get("by") != "citizen" else None
    _to_followers(db, event, contact, "follower_status", status=status, at=data["at"], public_note=answer)


def on_follow_requested(db: Database, event: dict) -> None:
    """Ask an address that asked to follow a complaint to confirm: nothing else goes to it until then."""
    data = event["data"]
    contact = _contact(db, data["number"])
    follower = data["follower"]
    language = follower.get("language") or "fr"
    query = urlencode(
        {"token": tokens.issue_follow_confirmation(data["number"], follower["id"]), "lang": language}
    )
    common = _common(contact, language)
    deliver(
        db,
        event,
        template="follow_confirm",
        recipient=follower["email"],
        role="follower",
        language=language,
        context={
            **{k: common[k] for k in ("number", "category_name", "district_name")},
            # The page opens in the email's language, whatever the browser's.
            "confirm_url": f"{public_url()}/complaints/{data['number']}/follow/confirm?{query}",
            "expires_at": data["expires_at"],
        },
    )


def on_followed(db: Database, event: dict) -> None:
    """Keep a new follower; tell those a merge brought which complaint theirs is handled with.

    One who confirmed a request to follow was told so by the page they confirmed on.
    """
    data = event["data"]
    contact = _contact(db, data["number"])
    follower = data["follower"]
    kept = {"email": follower["email"], "language": follower.get("language") or "fr", "since": data["at"]}
    store.add_follower(db, data["number"], follower["id"], kept)
    if data.get("via") != "merge":
        return
    _to_follower(
        db,
        event,
        contact,
        follower["id"],
        kept,
        "following",
        merged_from=data.get("merged_from"),
        moved_from=data.get("moved_from") if not data.get("merged_from") else None,
    )


def on_unfollowed(db: Database, event: dict) -> None:
    """Forget a follower who is emailed no more: they asked, or their address was erased."""
    data = event["data"]
    store.remove_follower(db, data["number"], data["follower_id"], data["at"])


def on_reopened(db: Database, event: dict) -> None:
    """Tell the district's staff that a citizen reopened a complaint."""
    data = event["data"]
    _to_staff(
        db,
        event,
        _contact(db, data["number"]),
        "staff_reopened",
        DISTRICT_STAFF,
        reason=data["reason"],
        reopen_count=data.get("reopen_count", 1),
        answer_due=data["answer_due"],
    )


def on_citizen_update(db: Database, event: dict) -> None:
    """Tell the district's staff of a citizen's new document or remark."""
    data = event["data"]
    if data.get("by") != "citizen":
        return
    document = event["type"] == "complaint.document_added"
    _to_staff(
        db,
        event,
        _contact(db, data["number"]),
        "staff_update",
        DISTRICT_STAFF,
        what="document" if document else "remark",
        document_name=(data.get("document") or {}).get("filename") if document else None,
        remark_text=None if document else data.get("text"),
    )


def on_overdue(db: Database, event: dict) -> None:
    """Tell the district's supervisors (the administrators when it has none) of a missed deadline."""
    data = event["data"]
    contact = _contact(db, data["number"])
    roles = ("supervisor",) if store.staff_of(db, contact.get("district"), ("supervisor",)) else ("admin",)
    _to_staff(
        db,
        event,
        contact,
        "staff_overdue",
        roles,
        deadline=data["deadline"],
        due=data["due"],
        status=data.get("status"),
    )


def on_anonymised(db: Database, event: dict) -> None:
    """Forget the citizen's address and name: nothing more is sent to them about this complaint.

    Its followers are forgotten too when tracking removed them (a closed complaint's).
    """
    data = event["data"]
    store.forget_citizen(
        db, data["number"], followers_at=data["at"] if data.get("followers_removed", True) else None
    )


def on_member_changed(db: Database, event: dict) -> None:
    """Keep the staff directory: who works where, and their address."""
    data = event["data"]
    store.remember_staff(
        db,
        {
            key: data.get(key)
            for key in ("username", "role", "districts", "name", "email", "language", "active")
        },
        datetime.fromisoformat(event["time"]),
    )


# ---- recipients and delivery ---------------------------------------------------------------


def _contact(db: Database, number: str) -> dict:
    contact = store.find_complaint(db, number)
    if contact is None:
        raise NotYetKnown(f"complaint {number} not seen yet")
    return contact


UNPLACED = {"fr": "à rattacher", "ar": "في انتظار الإحالة", "en": "to be placed"}


def _common(contact: dict, language: str) -> dict:
    number = contact["_id"]
    district = contact.get("district")
    return {
        "number": number,
        "complaint_subject": contact["subject"],
        "category_name": contact["category_name"].get(language, contact["category"]),
        "district_name": contact["district_name"].get(language, district) if district else UNPLACED[language],
    }


def complaint_link(number: str, email: str) -> str:
    """Return the link of a citizen's email: it opens the complaint, for this address only, for a while.

    Staff emails never carry it: they link to the back office.
    """
    return f"{public_url()}/complaints/{number}/open?t={tokens.issue_email_link(number, email)}"


def _to_citizen(db: Database, event: dict, contact: dict, template: str, **context) -> None:
    if not contact.get("email"):
        return  # an Open311 request sent without an address
    language = contact.get("language") or "fr"
    deliver(
        db,
        event,
        template=template,
        recipient=contact["email"],
        role="citizen",
        language=language,
        context={
            **_common(contact, language),
            "citizen_name": contact.get("name"),
            "tracking_url": complaint_link(contact["_id"], contact["email"]),
            "link_until": utcnow() + timedelta(seconds=tokens.email_link_ttl()),
            **context,
        },
    )


def _to_followers(db: Database, event: dict, contact: dict, template: str, **context) -> None:
    """Email every follower of the complaint who followed it before the event happened."""
    at = event["data"].get("at") or event["time"]
    for key, follower in (contact.get("followers") or {}).items():
        if follower.get("email") and follower.get("since", "") <= at:  # not one removed since
            _to_follower(db, event, contact, key, follower, template, **context)


def _to_follower(
    db: Database, event: dict, contact: dict, key: str, follower: dict, template: str, **context
) -> None:
    """Email one follower: the complaint's number, category and district, never its citizen's words."""
    number, language = contact["_id"], follower.get("language") or "fr"
    query = urlencode({"token": tokens.issue_unfollow(number, key), "lang": language})
    common = _common(contact, language)
    deliver(
        db,
        event,
        template=template,
        recipient=follower["email"],
        role="follower",
        language=language,
        context={
            **{k: common[k] for k in ("number", "category_name", "district_name")},
            "unfollow_url": f"{public_url()}/complaints/{number}/unfollow?{query}",
            **context,
        },
    )


def _to_staff(
    db: Database, event: dict, contact: dict, template: str, roles: tuple[str, ...], **context
) -> None:
    for member in store.staff_of(db, contact.get("district"), roles):
        language = member.get("language") or "fr"
        deliver(
            db,
            event,
            template=template,
            recipient=member["email"],
            role=member["role"],
            language=language,
            context={
                **_common(contact, language),
                "staff_name": member.get("name"),
                "staff_url": f"{public_url()}/staff/complaints/{contact['_id']}",
                **context,
            },
        )


def deliver(
    db: Database, event: dict, *, template: str, recipient: str, role: str, language: str, context: dict
) -> None:
    """Send one email unless it was already sent for this event and recipient."""
    number = event["data"]["number"]
    key = store.delivery_key(event["id"], template, recipient)
    delivery = store.record_intent(
        db, key=key, number=number, template=template, recipient=recipient, role=role
    )
    if delivery["status"] != "sending":
        return  # sent already, refused for good, or over the cap
    report = {
        "number": number,
        "template": template,
        "recipient_role": role,
        "language": language,
        "trigger": event["type"],
        "trigger_id": event["id"],
    }
    pool = "followers" if role == "follower" else ""
    if not store.take_send_slot(db, recipient, key, cap_per_hour(), utcnow(), pool):
        _fail(db, key, report, "capped", "too many emails to this address in the last hour")
        return
    subject, text, html = templates.render(template, language, context)
    try:
        message = mail.build(
            to=recipient,
            subject=subject,
            text=text,
            html=html,
            headers={"X-Complaint-Number": number, "X-Notification-Key": key},
            key=key,
        )
        mail.send(message)
    except mail.TemporaryFailure as exc:
        # The mail server is down or busy: the consumer brings the event back later.
        store.mark_attempt(db, key)
        raise DependencyUnavailable(f"mail server: {exc}") from exc
    except mail.PermanentFailure as exc:
        store.free_send_slot(db, recipient, key, cap_per_hour(), pool)
        _fail(db, key, report, "failed", str(exc), attempted=True)
        return
    sent = new_event("notification.sent", source=SOURCE, subject=number, data=report)
    store.mark_done(db, key, status="sent", events=[sent], attempted=True)
    outbox.publish_now(db, store.OUTBOX, key, [sent])
    log.info("email sent", extra={"number": number, "template": template, "recipient_role": role})


def _fail(db: Database, key: str, report: dict, status: str, reason: str, *, attempted: bool = False) -> None:
    failed = new_event(
        "notification.failed",
        source=SOURCE,
        subject=report["number"],
        data={**report, "reason": reason, "status": status},
    )
    store.mark_done(db, key, status=status, events=[failed], error=reason, attempted=attempted)
    outbox.publish_now(db, store.OUTBOX, key, [failed])
    log.warning(
        "email not sent", extra={"number": report["number"], "template": report["template"], "status": status}
    )
