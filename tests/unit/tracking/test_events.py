"""complaint.status_changed carries tracking's reopening rule, and validates against docs/asyncapi.yaml."""

from datetime import UTC, datetime, timedelta

import pytest

from common import config
from services.tracking import domain
from tests.contract import EventContract

AT = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
COMPLAINT = {
    "_id": "RC-2026-7K3P9QX",
    "district": "anfa",
    "category": "roads",
    "department": "roads",
    "status": "in_progress",
    "answer_due": AT + timedelta(days=58),
    "reopen_count": 0,
    "publish": True,
}


@pytest.mark.parametrize(
    ("before", "to", "changes", "until"),
    [
        ({}, "resolved", {"answered_at": AT}, "2026-04-03T08:00:00.000Z"),
        ({}, "rejected", {"answered_at": AT}, "2026-04-03T08:00:00.000Z"),
        (
            {"reopen_count": 2, "status": "reopened"},
            "resolved",
            {"answered_at": AT},
            "2026-04-03T08:00:00.000Z",
        ),
        (
            {"reopen_count": 3, "status": "reopened"},
            "resolved",
            {"answered_at": AT},
            None,
        ),  # the limit reached
        ({}, "acknowledged", {}, None),
        ({"status": "resolved", "answered_at": AT}, "closed", {"closed_at": AT}, None),
        ({"status": "resolved", "answered_at": AT}, "reopened", {"reopen_count": 1}, None),
    ],
)
def test_a_status_change_says_until_when_the_citizen_may_reopen(before, to, changes, until):
    written = domain.move({**COMPLAINT, **before}, AT, to=to, by="staff", changes=changes, note="Done.")
    [event] = written["events"]
    assert event["data"]["reopen_until"] == until
    assert event["data"]["at"] == "2026-03-04T08:00:00.000Z"
    assert EventContract().errors(event) == []
    assert written["set"] == {"status": to, **changes}
    assert written["append"]["timeline"][0]["event_id"] == event["id"]


def test_the_reopen_window_is_the_settings(monkeypatch):
    monkeypatch.setenv("REOPEN_WINDOW_DAYS", "45")
    config.reload()
    try:
        written = domain.move(COMPLAINT, AT, to="resolved", by="staff", changes={"answered_at": AT})
    finally:
        monkeypatch.delenv("REOPEN_WINDOW_DAYS")
        config.reload()
    assert written["events"][0]["data"]["reopen_until"] == "2026-04-18T08:00:00.000Z"
