"""The events notification consumes: keep what emails need, then send the emails `rules.plan` calls for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pymongo.database import Database

from common import mongo
from common.consumer import DependencyUnavailable
from common.vocabulary import EventType
from services.notification import alert_rules, rules, store
from services.notification.delivery import deliver
from services.notification.model import Contact, Event


class NotYetKnown(DependencyUnavailable):
    """An event about a complaint whose submission this service has not seen yet: try it later."""


def _contact(db: Database, number: str) -> Contact:
    contact = store.find_complaint(db, number)
    if contact is None:
        raise NotYetKnown(f"complaint {number} not seen yet")
    return contact


def _send(db: Database, event: Event, contact: Contact) -> None:
    """Find the staff the event may concern, plan its emails and send them one by one."""
    roles = rules.staff_roles(event, contact)
    staff = store.staff_of(db, contact.get("district"), roles) if roles else []
    for email in rules.plan(event, contact, staff):
        deliver(db, event, email)


def on_submitted(db: Database, event: Event) -> None:
    """Acknowledge receipt to the citizen and tell the district's staff of a new complaint."""
    data = event["data"]
    # An earlier contact stays: a placement may have moved it since.
    contact = store.remember_complaint(db, data["number"], rules.contact_of(data))
    _send(db, event, contact)


def on_placed(db: Database, event: Event) -> None:
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
    _send(db, event, contact)


def on_status_changed(db: Database, event: Event) -> None:
    """Tell the citizen and the followers of a status change, with its public note (never an internal one)."""
    _send(db, event, _contact(db, event["data"]["number"]))


def on_follow_requested(db: Database, event: Event) -> None:
    """Ask an address that asked to follow a complaint to confirm: nothing else goes to it until then."""
    _send(db, event, _contact(db, event["data"]["number"]))


def on_followed(db: Database, event: Event) -> None:
    """Keep a new follower; tell those a merge brought which complaint theirs is handled with."""
    data = event["data"]
    contact = _contact(db, data["number"])
    store.add_follower(db, data["number"], data["follower"]["id"], rules.follower_kept(data))
    _send(db, event, contact)


def on_unfollowed(db: Database, event: Event) -> None:
    """Forget a follower who is emailed no more: they asked, or their address was erased."""
    data = event["data"]
    store.remove_follower(db, data["number"], data["follower_id"], data["at"])


def on_reopened(db: Database, event: Event) -> None:
    """Tell the district's staff that a citizen reopened a complaint."""
    _send(db, event, _contact(db, event["data"]["number"]))


def on_citizen_update(db: Database, event: Event) -> None:
    """Tell the district's staff of a citizen's new document or remark."""
    if not rules.from_citizen(event["data"]):
        return  # staff's own: nobody to tell, so no waiting for the complaint either
    _send(db, event, _contact(db, event["data"]["number"]))


def on_overdue(db: Database, event: Event) -> None:
    """Tell the district's supervisors (the administrators when it has none) of a missed deadline."""
    _send(db, event, _contact(db, event["data"]["number"]))


def on_anonymised(db: Database, event: Event) -> None:
    """Forget the citizen's address and name: nothing more is sent to them about this complaint.

    Its followers are forgotten too when tracking removed them (a closed complaint's).
    """
    data = event["data"]
    store.forget_citizen(
        db, data["number"], followers_at=data["at"] if data.get("followers_removed", True) else None
    )


def on_alert(db: Database, event: Event) -> None:
    """Email an alert's subscriber: the request to confirm, a new report, or the week's reports."""
    for email in alert_rules.plan(event):
        deliver(db, event, email)


MEMBER_FIELDS = ("username", "role", "districts", "name", "email", "language", "active")


def on_member_changed(db: Database, event: Event) -> None:
    """Keep the staff directory: who works where, and their address."""
    data = event["data"]
    store.remember_staff(
        db, {key: data.get(key) for key in MEMBER_FIELDS}, datetime.fromisoformat(event["time"])
    )


def _with_db(handler: Callable[[Database, Event], None]) -> Callable[[dict], None]:
    def handle(event: dict) -> None:
        handler(mongo.database(), event)

    handle.__name__ = handler.__name__
    return handle


HANDLERS = {
    EventType.SUBMITTED: _with_db(on_submitted),
    EventType.STATUS_CHANGED: _with_db(on_status_changed),
    EventType.REOPENED: _with_db(on_reopened),
    EventType.DOCUMENT_ADDED: _with_db(on_citizen_update),
    EventType.REMARK_ADDED: _with_db(on_citizen_update),
    EventType.OVERDUE: _with_db(on_overdue),
    EventType.PLACED: _with_db(on_placed),
    EventType.ANONYMISED: _with_db(on_anonymised),
    EventType.FOLLOW_REQUESTED: _with_db(on_follow_requested),
    EventType.FOLLOWED: _with_db(on_followed),
    EventType.UNFOLLOWED: _with_db(on_unfollowed),
    EventType.MEMBER_CHANGED: _with_db(on_member_changed),
    EventType.ALERT_REQUESTED: _with_db(on_alert),
    EventType.ALERT_MATCHED: _with_db(on_alert),
    EventType.ALERT_DIGEST_COMPILED: _with_db(on_alert),
}
