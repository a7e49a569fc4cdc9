"""The events notification consumes."""

from __future__ import annotations

from common import mongo
from services.notification import domain


def _with_db(handler):
    def handle(event: dict) -> None:
        handler(mongo.database(), event)

    handle.__name__ = handler.__name__
    return handle


HANDLERS = {
    "complaint.submitted": _with_db(domain.on_submitted),
    "complaint.status_changed": _with_db(domain.on_status_changed),
    "complaint.reopened": _with_db(domain.on_reopened),
    "complaint.document_added": _with_db(domain.on_citizen_update),
    "complaint.remark_added": _with_db(domain.on_citizen_update),
    "complaint.overdue": _with_db(domain.on_overdue),
    "complaint.placed": _with_db(domain.on_placed),
    "complaint.anonymised": _with_db(domain.on_anonymised),
    "complaint.follow_requested": _with_db(domain.on_follow_requested),
    "complaint.followed": _with_db(domain.on_followed),
    "complaint.unfollowed": _with_db(domain.on_unfollowed),
    "staff.member_changed": _with_db(domain.on_member_changed),
}
