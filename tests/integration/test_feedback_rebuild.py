"""The rebuild: the figures recomputed from tracking's complaints equal those counted from the events."""

from __future__ import annotations

import pytest

from common.consumer import DependencyUnavailable
from common.envelope import isoformat, new_event
from services.feedback import figures as feedback_figures
from services.feedback import rebuild as rebuilding
from services.feedback import store as feedback_store
from services.feedback.handlers import HANDLERS
from services.tracking import domain as tracking
from services.tracking import handlers as tracking_handlers
from services.tracking import store as tracking_store
from services.tracking import treatment
from tests.integration.complaints import submission

ADMIN = {"sub": "admin", "role": "admin", "districts": ["*"]}


def file(db, district: str, category: str, days_ago: float, answer_days: int = 60) -> tuple[str, dict]:
    data = submission(
        days_ago=days_ago,
        answer_days=answer_days,
        kind="claim",
        category=category,
        department=category,
        district=district,
    )
    number = data["number"]
    tracking_handlers.record_submitted(db, data)
    event = new_event(
        "complaint.submitted",
        source="intake",
        subject=number,
        data={k: isoformat(v) if hasattr(v, "isoformat") else v for k, v in data.items()},
    )
    return number, event


def move(db, number, *statuses):
    for status in statuses:
        treatment.transition(db, ADMIN, number, {"to": status, "reason": "Hors compétence"})


@pytest.fixture
def history(db, listener):
    """Complaints treated, reopened and rated through tracking; the events they published."""
    tracking_store.ensure_indexes(db)
    feedback_store.ensure_indexes(db)
    for name in (
        feedback_store.COMPLAINTS,
        feedback_store.CELLS,
        feedback_store.MONTHS,
        tracking_store.COMPLAINTS,
    ):
        db[name].delete_many({})
    published = listener("complaint.#")
    submissions = []
    a, event = file(db, "anfa", "roads", days_ago=40)
    submissions.append(event)
    move(db, a, "acknowledged", "in_progress", "resolved")
    tracking.rate(db, a, {"satisfaction": 2, "outcome": "not_resolved"})
    tracking.reopen(db, a, "Pas réparé")
    move(db, a, "in_progress", "resolved")
    tracking.rate(db, a, {"satisfaction": 5, "outcome": "resolved"})
    b, event = file(db, "anfa", "lighting", days_ago=3, answer_days=1)
    submissions.append(event)
    move(db, b, "rejected")
    c, event = file(db, "maarif", "roads", days_ago=1)
    submissions.append(event)
    move(db, c, "in_progress")
    _d, event = file(db, "maarif", "roads", days_ago=0)
    submissions.append(event)
    return submissions + published(11)  # 8 status changes, a reopening, 2 ratings


def figures(db) -> dict:
    return feedback_figures.figures(db, {})


def test_the_rebuild_gives_the_figures_the_events_gave(db, history):
    for event in history:
        HANDLERS[event["type"]](event)
    counted = figures(db)
    assert counted["received"] == 4 and counted["answered"] == 2 and counted["reopened"] == 1
    assert counted["satisfaction"]["ratings"] == 2
    # The read model is lost or damaged: a cell deleted, a complaint forgotten, a counter wrong.
    db[feedback_store.CELLS].delete_one({"_id": {"$regex": "^anfa\\|lighting"}})
    db[feedback_store.COMPLAINTS].delete_one({"district": "maarif"})
    db[feedback_store.CELLS].update_many({}, {"$inc": {"n.received": 7}})
    assert figures(db) != counted
    result = rebuilding.rebuild(db, grace=0)
    assert result["complaints"] == 4
    assert figures(db) == counted
    # Events delivered again after the rebuild change nothing.
    for event in history:
        HANDLERS[event["type"]](event)
    assert figures(db) == counted


def test_events_wait_while_a_rebuild_runs(db, history):
    from common import locks

    with locks.locked(db, feedback_store.REBUILD_LOCK):
        with pytest.raises(DependencyUnavailable):
            HANDLERS[history[0]["type"]](history[0])
    HANDLERS[history[0]["type"]](history[0])
    assert figures(db)["received"] == 1
