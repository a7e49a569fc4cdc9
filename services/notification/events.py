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
    "complaint.document_added": _with_db(domain.on_document_added),
    "complaint.remark_added": _with_db(domain.on_remark_added),
    "complaint.overdue": _with_db(domain.on_overdue),
    "staff.member_changed": _with_db(domain.on_member_changed),
}
