"""The state table of PRODUCT.md, every pair of statuses, every role."""

from datetime import timedelta

import pytest

from common import config
from common.envelope import utcnow
from services.tracking import lifecycle as lc

ALLOWED = {
    ("received", "acknowledged"),
    ("received", "in_progress"),
    ("received", "rejected"),
    ("acknowledged", "in_progress"),
    ("acknowledged", "rejected"),
    ("in_progress", "resolved"),
    ("in_progress", "rejected"),
    ("reopened", "in_progress"),
    ("reopened", "resolved"),
    ("reopened", "rejected"),
    ("resolved", "closed"),
    ("rejected", "closed"),
}


@pytest.mark.parametrize("current", lc.STATUSES)
@pytest.mark.parametrize("target", lc.STATUSES)
@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_staff_may_make_exactly_the_transitions_of_the_table(current, target, role):
    expected = (current, target) in ALLOWED and (target != "closed" or role != "agent")
    assert lc.staff_may(role, current, target) is expected


def test_no_staff_transition_reopens_a_complaint():
    assert all("reopened" not in targets for targets in lc.STAFF_TRANSITIONS.values())


NOW = utcnow()


def answered(status="resolved", days_ago=1, count=0):
    return {"status": status, "answered_at": NOW - timedelta(days=days_ago), "reopen_count": count}


@pytest.mark.parametrize("status", ["resolved", "rejected"])
def test_the_citizen_may_reopen_an_answer_within_the_window(status):
    assert lc.reopen_refusal(answered(status, days_ago=29), NOW) is None


@pytest.mark.parametrize("status", ["received", "acknowledged", "in_progress", "reopened", "closed"])
def test_only_an_answer_can_be_reopened(status):
    assert "resolved or rejected" in lc.reopen_refusal({**answered(), "status": status}, NOW)


def test_reopening_ends_with_the_window_and_after_three_times(monkeypatch):
    assert "passed" in lc.reopen_refusal(answered(days_ago=31), NOW)
    assert "at most 3" in lc.reopen_refusal(answered(count=3), NOW)
    assert lc.reopen_refusal(answered(count=2), NOW) is None
    monkeypatch.setenv("REOPEN_WINDOW_DAYS", "45")
    monkeypatch.setenv("REOPEN_LIMIT", "5")
    config.reload()
    assert lc.reopen_refusal(answered(days_ago=40, count=4), NOW) is None


def test_an_answer_can_be_rated_once():
    complaint = {"status": "resolved", "answer_seq": 1}
    assert lc.can_rate(complaint)
    assert not lc.can_rate({**complaint, "rated_answer": 1})
    assert lc.can_rate({**complaint, "rated_answer": 1, "answer_seq": 2})
    assert not lc.can_rate({"status": "in_progress", "answer_seq": 1})


@pytest.mark.parametrize(
    ("status", "answer_seq", "rated_answer", "refusal"),
    [
        ("received", 0, None, "no answer"),
        ("in_progress", 0, None, "no answer"),
        ("reopened", 1, 1, "no answer"),
        ("in_progress", 1, None, "no answer"),
        ("resolved", 1, None, None),
        ("rejected", 1, None, None),
        ("closed", 1, None, None),
        ("closed", 2, 2, "already been rated"),
        ("resolved", 2, 1, None),
    ],
)
def test_why_a_rating_is_refused(status, answer_seq, rated_answer, refusal):
    found = lc.rating_refusal({"status": status, "answer_seq": answer_seq, "rated_answer": rated_answer})
    assert (found is None) if refusal is None else (refusal in found)
