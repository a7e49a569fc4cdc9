"""What a complaint adds to the figures, and the figures from the counters."""

from datetime import UTC, datetime, timedelta

from services.feedback import rules

T = datetime(2026, 3, 2, 8, tzinfo=UTC)


def facts(**changes):
    return {
        "district": "anfa",
        "category": "roads",
        "month": "2026-03",
        "submitted_at": T,
        "answer_due": T + timedelta(days=60),
        **changes,
    }


def test_a_complaint_not_yet_seen_submitted_adds_nothing():
    assert rules.contribution({"acknowledged_at": T}) == {}


def test_a_complaint_adds_its_times_reopening_and_ratings_to_its_cell():
    counted = rules.contribution(
        facts(
            acknowledged_at=T + timedelta(minutes=90),
            answered_at=T + timedelta(days=61),
            reopen_count=2,
            ratings={
                "1": {"satisfaction": 2, "outcome": "not_resolved"},
                "2": {"satisfaction": 5, "outcome": "resolved"},
            },
        )
    )
    assert sorted(counted) == ["*|*|2026-03", "*|roads|2026-03", "anfa|*|2026-03", "anfa|roads|2026-03"]
    assert all(counters == counted["anfa|roads|2026-03"] for counters in counted.values())
    assert counted["anfa|roads|2026-03"] == {
        "received": 1,
        "acknowledged": 1,
        "ack_seconds": 5400,
        "ack_minutes:m90": 1,
        "answered": 1,
        "answer_seconds": 61 * 86400,
        "answer_minutes:m87840": 1,
        "reopened": 1,
        "ratings": 2,
        "satisfaction_sum": 7,
        "satisfaction:s2": 1,
        "satisfaction:s5": 1,
        "outcome:not_resolved": 1,
        "outcome:resolved": 1,
    }


def test_differences_are_what_changed_and_nothing_when_nothing_did():
    before = rules.contribution(facts())
    after = rules.contribution(facts(acknowledged_at=T + timedelta(hours=1)))
    operations = rules.differences(before, after)
    assert [o["cell"] for o in operations] == [
        "anfa|roads|2026-03",
        "*|roads|2026-03",
        "anfa|*|2026-03",
        "*|*|2026-03",
    ]
    assert all(o["inc"] == {"acknowledged": 1, "ack_seconds": 3600, "ack_minutes:m60": 1} for o in operations)
    assert rules.differences(after, after) == []
    undo = rules.differences(after, before)
    assert all(o["inc"] == {"acknowledged": -1, "ack_seconds": -3600, "ack_minutes:m60": -1} for o in undo)


def test_figures_of_nothing_are_zero_or_none():
    summary = rules.summary({})
    assert summary["received"] == 0 and summary["answered_within_deadline_rate"] is None
    assert summary["time_to_answer"] == {"count": 0, "mean_hours": None, "median_hours": None}
    assert summary["satisfaction"] == {
        "ratings": 0,
        "mean": None,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
    }


def test_a_duplicate_merged_into_another_counts_nothing_whatever_it_did():
    answered = facts(acknowledged_at=T + timedelta(hours=2), answered_at=T + timedelta(days=1))
    assert rules.contribution({**answered, "merged_into": "RC-2026-7K3P9QX"}) == {}
    merge = rules.merged({"into": "RC-2026-7K3P9QX"})
    assert merge(answered) == {"merged_into": "RC-2026-7K3P9QX"}
    assert merge({**answered, "merged_into": "RC-2026-7K3P9QX"}) == {}  # delivered again: no change
    counted = rules.contribution(answered)
    operations = rules.differences(counted, rules.contribution({**answered, **merge(answered)}))
    assert {op["cell"] for op in operations} == set(counted)
    assert all(op["inc"]["received"] == -1 for op in operations)  # taken back from every cell


def test_a_rebuild_finds_a_duplicate_by_what_tracking_kept():
    tracked = {
        "_id": "RC-2026-4M8TQ2D",
        "kind": "complaint",
        "district": "anfa",
        "category": "roads",
        "submitted_at": T,
        "ack_due": T + timedelta(days=15),
        "answer_due": T + timedelta(days=60),
        "timeline": [{"at": T, "status": "received"}, {"at": T + timedelta(hours=1), "status": "closed"}],
    }
    assert "merged_into" not in rules.facts_of(tracked)
    merged = rules.facts_of({**tracked, "duplicate_of": "RC-2026-7K3P9QX"})
    assert merged["merged_into"] == "RC-2026-7K3P9QX" and rules.contribution(merged) == {}
