"""Tracking's periodic jobs: flag overdue complaints once per deadline, close answered ones."""

from __future__ import annotations

import logging
from datetime import datetime

from pymongo.database import Database

from common.envelope import isoformat, utcnow
from services.tracking import domain, events, lifecycle, store

log = logging.getLogger(__name__)


def _deadline_key(deadline: str, due: datetime) -> str:
    return f"{deadline}:{isoformat(due)}"


def flag_overdue(db: Database, now: datetime | None = None) -> int:
    """Publish complaint.overdue once for each deadline that passed unmet; return how many."""
    now = now or utcnow()
    candidates = store.find_due(db, lifecycle.overdue_filter(now))
    flagged = 0
    for complaint in candidates:
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
    for complaint in store.find_due(
        db, {"status": {"$in": list(lifecycle.ANSWERED)}, "answered_at": {"$lt": horizon}}
    ):

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


def run_all(db: Database) -> None:
    """Run every periodic job once."""
    from services.tracking import privacy

    flagged, closed, anonymised = flag_overdue(db), close_expired(db), privacy.anonymise_expired(db)
    if flagged or closed or anonymised:
        log.info(
            "periodic jobs", extra={"overdue_flagged": flagged, "closed": closed, "anonymised": anonymised}
        )
