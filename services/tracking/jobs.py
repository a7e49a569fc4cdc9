"""Tracking's periodic jobs: flag overdue complaints once per deadline, close answered ones.

They read the open complaints (`tracking_open`, each complaint by _id), not the history: the
store can only look a document up by _id, and a scan of every complaint each minute would
cost more as the years go by.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from pymongo.database import Database

from common import config
from common.envelope import isoformat, utcnow
from services.tracking import domain, events, lifecycle, store

log = logging.getLogger(__name__)


def _deadline_key(deadline: str, due: datetime) -> str:
    return f"{deadline}:{isoformat(due)}"


def flag_overdue(db: Database, now: datetime | None = None) -> int:
    """Publish complaint.overdue once for each deadline that passed unmet; return how many."""
    now = now or utcnow()
    flagged = 0
    for complaint in store.open_complaints(db):
        if not lifecycle.is_overdue(complaint, now):
            continue
        due = []
        if complaint["status"] == lifecycle.RECEIVED and complaint["ack_due"] < now:
            due.append(("acknowledgement", complaint["ack_due"]))
        if complaint["answer_due"] < now:
            due.append(("answer", complaint["answer_due"]))
        pending = [
            (d, at) for d, at in due if _deadline_key(d, at) not in complaint.get("overdue_notified", [])
        ]
        if not pending:
            continue

        def change(current: dict, at: datetime, pending=pending):
            fresh = [
                (d, due_at)
                for d, due_at in pending
                if _deadline_key(d, due_at) not in current.get("overdue_notified", [])
            ]
            keys = [_deadline_key(d, due_at) for d, due_at in fresh]
            new_events = [events.overdue(current, deadline=d, due=due_at, at=at) for d, due_at in fresh]
            return {"$push": {"overdue_notified": {"$each": keys}}}, new_events

        domain.apply(db, complaint["_id"], change)
        flagged += len(pending)
    return flagged


def close_expired(db: Database, now: datetime | None = None) -> int:
    """Close answered complaints whose reopen window has passed; return how many."""
    now = now or utcnow()
    horizon = now - lifecycle.reopen_window()
    closed = 0
    for complaint in store.open_complaints(db):
        if complaint["status"] not in lifecycle.ANSWERED or complaint["answered_at"] >= horizon:
            continue

        def change(current: dict, at: datetime):
            if current["status"] not in lifecycle.ANSWERED or current["answered_at"] >= horizon:
                return {}, []
            update, changed = domain.move(
                current, at, to=lifecycle.CLOSED, by="system", changes={"closed_at": at}
            )
            return update, [changed]

        domain.apply(db, complaint["_id"], change)
        closed += 1
    return closed


_last_anonymisation = [float("-inf")]


def run_all(db: Database) -> None:
    """Run the jobs on open complaints; the anonymisation, which reads the history, once a day."""
    from services.tracking import following, privacy

    flagged, closed, anonymised = flag_overdue(db), close_expired(db), 0
    expired = following.expire(db, utcnow())
    if time.monotonic() - _last_anonymisation[0] >= config.settings().retention_check_seconds:
        anonymised = privacy.anonymise_expired(db)
        _last_anonymisation[0] = time.monotonic()
    if flagged or closed or anonymised or expired:
        log.info(
            "periodic jobs",
            extra={
                "overdue_flagged": flagged,
                "closed": closed,
                "anonymised": anonymised,
                "follow_requests_expired": expired,
            },
        )
