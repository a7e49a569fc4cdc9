"""Tracking's periodic jobs: flag overdue complaints once per deadline, close answered ones, and
forget unconfirmed requests and send the weekly digests of the alerts for a place.

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
from common.vocabulary import Actor, Status
from services.tracking import alerts, domain, events, following, policy, privacy, rules, store
from services.tracking.model import Changes, Complaint

log = logging.getLogger(__name__)


def _deadline_key(deadline: str, due: datetime) -> str:
    return f"{deadline}:{isoformat(due)}"


def _unreported(complaint: Complaint, missed: list[tuple[str, datetime]]) -> list[tuple[str, datetime]]:
    """Return the missed deadlines whose complaint.overdue was not published yet."""
    reported = complaint.get("overdue_notified", [])
    return [(deadline, due) for deadline, due in missed if _deadline_key(deadline, due) not in reported]


def flag_overdue(db: Database, now: datetime | None = None) -> int:
    """Publish complaint.overdue once for each deadline that passed unmet; return how many."""
    now = now or utcnow()
    flagged = 0
    for complaint in store.open_complaints(db):
        pending = _unreported(complaint, rules.missed_deadlines(complaint, now))
        if not pending:
            continue

        def change(current: Complaint, at: datetime, pending=pending) -> Changes:
            fresh = _unreported(current, pending)
            return {
                "append": {"overdue_notified": [_deadline_key(d, due) for d, due in fresh]},
                "events": [events.overdue(current, deadline=d, due=due, at=at) for d, due in fresh],
            }

        store.apply(db, complaint["_id"], change)
        flagged += len(pending)
    return flagged


def close_expired(db: Database, now: datetime | None = None) -> int:
    """Close answered complaints whose reopen window has passed; return how many."""
    now = now or utcnow()
    window = policy.reopen_window()
    closed = 0
    for complaint in store.open_complaints(db):
        if not rules.closing_due(complaint, now, window=window):
            continue

        def change(current: Complaint, at: datetime) -> Changes:
            if not rules.closing_due(current, now, window=window):
                return {}
            return domain.move(current, at, to=Status.CLOSED, by=Actor.SYSTEM, changes={"closed_at": at})

        store.apply(db, complaint["_id"], change)
        closed += 1
    return closed


_last_anonymisation = [float("-inf")]


def run_all(db: Database) -> None:
    """Run the jobs on open complaints; the anonymisation, which reads the history, once a day."""
    flagged, closed, anonymised = flag_overdue(db), close_expired(db), 0
    expired = following.expire(db, utcnow())
    alerts_expired, digests = alerts.expire(db, utcnow()), alerts.send_digests(db)
    if time.monotonic() - _last_anonymisation[0] >= config.settings().retention_check_seconds:
        anonymised = privacy.anonymise_expired(db)
        _last_anonymisation[0] = time.monotonic()
    if flagged or closed or anonymised or expired or alerts_expired or digests:
        log.info(
            "periodic jobs",
            extra={
                "overdue_flagged": flagged,
                "closed": closed,
                "anonymised": anonymised,
                "follow_requests_expired": expired,
                "alert_requests_expired": alerts_expired,
                "alert_digests": digests,
            },
        )
