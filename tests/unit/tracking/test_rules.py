"""Tracking's rules (services/tracking/rules.py), held to tables of cases: PRODUCT.md's state table,
deadlines, reopening, rating and what is public. Pure functions: no store, no settings, no clock."""

from datetime import UTC, datetime, timedelta

import pytest

from common.vocabulary import Deadline, Role, Status
from services.tracking import rules

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
WINDOW, LIMIT = timedelta(days=30), 3

# PRODUCT.md: from, to, for staff (closing: supervisors and administrators only).
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


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("target", list(Status))
@pytest.mark.parametrize("role", list(Role))
def test_staff_may_make_exactly_the_transitions_of_the_table(current, target, role):
    expected = (current, target) in ALLOWED and (target != "closed" or role != "agent")
    assert rules.staff_may(role, current, target) is expected


def test_no_staff_transition_reopens_a_complaint():
    assert all("reopened" not in targets for targets in rules.STAFF_TRANSITIONS.values())


@pytest.mark.parametrize(
    ("role", "status", "targets"),
    [
        ("agent", "received", ["acknowledged", "in_progress", "rejected"]),
        ("agent", "in_progress", ["resolved", "rejected"]),
        ("agent", "resolved", []),
        ("supervisor", "resolved", ["closed"]),
        ("admin", "rejected", ["closed"]),
        ("admin", "reopened", ["in_progress", "resolved", "rejected"]),
        ("supervisor", "closed", []),
    ],
)
def test_the_statuses_a_member_is_offered(role, status, targets):
    assert rules.staff_targets(role, status) == targets


@pytest.mark.parametrize(
    ("before", "target", "recorded"),
    [
        ({"status": "received"}, "acknowledged", {"acknowledged_at"}),
        ({"status": "received"}, "in_progress", {"acknowledged_at"}),
        ({"status": "received"}, "rejected", {"acknowledged_at", "answered_at", "answer_seq"}),
        ({"status": "acknowledged", "acknowledged_at": NOW}, "in_progress", set()),
        ({"status": "in_progress", "acknowledged_at": NOW}, "resolved", {"answered_at", "answer_seq"}),
        ({"status": "resolved", "answer_seq": 1}, "closed", {"closed_at"}),
    ],
)
def test_what_a_transition_records(before, target, recorded):
    fields = rules.transition_fields(before, target, NOW)
    assert set(fields) == recorded
    assert all(fields[key] == NOW for key in recorded - {"answer_seq"})
    if "answer_seq" in recorded:
        assert fields["answer_seq"] == before.get("answer_seq", 0) + 1


@pytest.mark.parametrize(
    ("status", "ack_due", "answer_due", "missed"),
    [
        ("received", -1, 1, [Deadline.ACKNOWLEDGEMENT]),
        ("received", -1, -1, [Deadline.ACKNOWLEDGEMENT, Deadline.ANSWER]),
        ("received", 1, 1, []),
        ("acknowledged", -1, 1, []),  # acknowledged: that deadline was met
        ("acknowledged", -1, -1, [Deadline.ANSWER]),
        ("in_progress", -1, -1, [Deadline.ANSWER]),
        ("reopened", -1, -1, [Deadline.ANSWER]),
        ("resolved", -1, -1, []),
        ("rejected", -1, -1, []),
        ("closed", -1, -1, []),
    ],
)
def test_the_deadlines_a_complaint_missed(status, ack_due, answer_due, missed):
    complaint = {"status": status, "ack_due": NOW + ack_due * DAY, "answer_due": NOW + answer_due * DAY}
    assert [deadline for deadline, _due in rules.missed_deadlines(complaint, NOW)] == missed
    assert rules.is_overdue(complaint, NOW) is bool(missed)


def answered(status="resolved", days_ago=1, count=0):
    return {"status": status, "answered_at": NOW - days_ago * DAY, "reopen_count": count}


@pytest.mark.parametrize(
    ("complaint", "window", "limit", "until"),
    [
        (answered(), WINDOW, LIMIT, NOW - DAY + WINDOW),
        (answered("rejected", days_ago=40), WINDOW, LIMIT, NOW - 40 * DAY + WINDOW),  # passed, still said
        (answered(count=2), WINDOW, LIMIT, NOW - DAY + WINDOW),
        (answered(count=3), WINDOW, LIMIT, None),  # the limit reached
        (answered(count=4), timedelta(days=45), 5, NOW - DAY + timedelta(days=45)),
        (answered(count=0), WINDOW, 0, None),
        ({**answered(), "status": "in_progress"}, WINDOW, LIMIT, None),
        ({**answered(), "status": "reopened"}, WINDOW, LIMIT, None),
        ({**answered(), "status": "closed"}, WINDOW, LIMIT, None),
        ({"status": "resolved"}, WINDOW, LIMIT, None),  # never answered: nothing to reopen
    ],
)
def test_until_when_the_citizen_may_reopen(complaint, window, limit, until):
    assert rules.reopen_until(complaint, window=window, limit=limit) == until


@pytest.mark.parametrize(
    ("complaint", "window", "limit", "refusal"),
    [
        (answered(days_ago=29), WINDOW, LIMIT, None),
        (answered("rejected", days_ago=29), WINDOW, LIMIT, None),
        (answered(days_ago=30), WINDOW, LIMIT, None),  # the window's last moment still counts
        (answered(days_ago=31), WINDOW, LIMIT, "passed"),
        (answered(count=2), WINDOW, LIMIT, None),
        (answered(count=3), WINDOW, LIMIT, "at most 3"),
        (answered(days_ago=40, count=4), timedelta(days=45), 5, None),
        ({**answered(), "status": "received"}, WINDOW, LIMIT, "resolved or rejected"),
        ({**answered(), "status": "acknowledged"}, WINDOW, LIMIT, "resolved or rejected"),
        ({**answered(), "status": "in_progress"}, WINDOW, LIMIT, "resolved or rejected"),
        ({**answered(), "status": "reopened"}, WINDOW, LIMIT, "resolved or rejected"),
        ({**answered(), "status": "closed"}, WINDOW, LIMIT, "resolved or rejected"),
        ({"status": "resolved"}, WINDOW, LIMIT, "passed"),
    ],
)
def test_why_a_reopening_is_refused(complaint, window, limit, refusal):
    found = rules.reopen_refusal(complaint, NOW, window=window, limit=limit)
    assert (found is None) if refusal is None else (refusal in found)
    assert rules.can_reopen(complaint, NOW, window=window, limit=limit) is (refusal is None)


@pytest.mark.parametrize(
    ("before", "count", "answer_due"),
    [
        ({"reopen_count": 0, "answer_days": 30}, 1, NOW + 30 * DAY),
        ({"reopen_count": 2, "answer_days": 15}, 3, NOW + 15 * DAY),
        ({}, 1, NOW + 60 * DAY),  # no answer_days: the decree's 60
    ],
)
def test_a_reopening_counts_and_gives_a_new_answer_deadline(before, count, answer_due):
    assert rules.reopening_fields(before, NOW) == {
        "reopen_count": count,
        "answer_due": answer_due,
        "reopened_at": NOW,
    }


@pytest.mark.parametrize(
    ("complaint", "due"),
    [
        (answered(days_ago=31), True),
        (answered("rejected", days_ago=31), True),
        (answered(days_ago=30), False),
        (answered(days_ago=1), False),
        ({**answered(days_ago=31), "status": "reopened"}, False),
        ({**answered(days_ago=31), "status": "closed"}, False),
    ],
)
def test_the_platform_closes_an_answer_once_its_window_passed(complaint, due):
    assert rules.closing_due(complaint, NOW, window=WINDOW) is due


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
        ("resolved", 1, 1, "already been rated"),
        ("closed", 2, 2, "already been rated"),
        ("resolved", 2, 1, None),
    ],
)
def test_why_a_rating_is_refused(status, answer_seq, rated_answer, refusal):
    complaint = {"status": status, "answer_seq": answer_seq, "rated_answer": rated_answer}
    found = rules.rating_refusal(complaint)
    assert (found is None) if refusal is None else (refusal in found)
    assert rules.can_rate(complaint) is (refusal is None)


@pytest.mark.parametrize(
    ("complaint", "entry", "published", "note"),
    [
        ({"publish": True}, {"by": "staff", "note": "Repaired."}, True, "Repaired."),
        ({"publish": True}, {"by": "system", "note": "Closed."}, True, "Closed."),
        ({"publish": True}, {"by": "citizen", "note": "My reason."}, True, None),
        ({"publish": True}, {"by": "staff", "note": ""}, True, None),
        ({"publish": False}, {"by": "staff", "note": "Repaired."}, False, None),
        ({}, {"by": "staff", "note": "Repaired."}, False, None),
        ({"publish": "yes"}, {"by": "staff", "note": "Repaired."}, False, None),
        ({"publish": True, "anonymised_at": NOW}, {"by": "staff", "note": "Repaired."}, False, None),
    ],
)
def test_what_the_public_may_read(complaint, entry, published, note):
    assert rules.published(complaint) is published
    assert rules.public_note(complaint, entry) == note


@pytest.mark.parametrize(
    ("given", "email", "number"),
    [
        ("  Amina@Example.MA ", "amina@example.ma", "AMINA@EXAMPLE.MA"),
        ("rc-2026-7k3p9qx", "rc-2026-7k3p9qx", "RC-2026-7K3P9QX"),
        (" RC 2026 7K3P 9QX ", "rc 2026 7k3p 9qx", "RC20267K3P9QX"),
    ],
)
def test_how_numbers_and_emails_are_compared(given, email, number):
    assert rules.normalize_email(given) == email
    assert rules.normalize_number(given) == number
