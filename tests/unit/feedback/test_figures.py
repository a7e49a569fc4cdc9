"""What a complaint adds to the figures, and the figures from the counters."""

from datetime import UTC, datetime, timedelta

import pytest

from services.feedback import domain

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
    assert domain.contribution({"acknowledged_at": T}) == {}


def test_a_complaint_adds_its_times_reopening_and_ratings_to_its_cell():
    counted = domain.contribution(
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
    before = domain.contribution(facts())
    after = domain.contribution(facts(acknowledged_at=T + timedelta(hours=1)))
    operations = domain.differences(before, after)
    assert [o["cell"] for o in operations] == [
        "anfa|roads|2026-03",
        "*|roads|2026-03",
        "anfa|*|2026-03",
        "*|*|2026-03",
    ]
    assert all(o["inc"] == {"acknowledged": 1, "ack_seconds": 3600, "ack_minutes:m60": 1} for o in operations)
    assert domain.differences(after, after) == []
    undo = domain.differences(after, before)
    assert all(o["inc"] == {"acknowledged": -1, "ack_seconds": -3600, "ack_minutes:m60": -1} for o in undo)


@pytest.mark.parametrize(
    ("histogram", "median"),
    [
        ({}, None),
        ({"m60": 1}, 60),
        ({"m60": 1, "m120": 1}, 90),
        ({"m60": 2, "m600": 1}, 60),
        ({"m10": 1, "m20": 1, "m30": 1, "m40": 1}, 25),
        ({"m10": 3, "m20": 0, "m40": 1}, 10),
        ({"m5": 1, "m1000": 2, "m7": 1}, 503.5),
    ],
)
def test_the_median_of_a_histogram(histogram, median):
    assert domain._median_minutes(histogram) == median


def test_figures_of_nothing_are_zero_or_none():
    summary = domain.summary({})
    assert summary["received"] == 0 and summary["answered_within_deadline_rate"] is None
    assert summary["time_to_answer"] == {"count": 0, "mean_hours": None, "median_hours": None}
    assert summary["satisfaction"] == {
        "ratings": 0,
        "mean": None,
        "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0},
    }


def test_months_run_across_years():
    assert domain._months("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


@pytest.mark.parametrize(
    ("duration", "minutes"),
    [
        (timedelta(seconds=59), 0),
        (timedelta(minutes=59, seconds=59), 59),
        (timedelta(minutes=74), 60),
        (timedelta(minutes=90), 90),
        (timedelta(hours=23, minutes=59), 23 * 60 + 45),
        (timedelta(hours=30, minutes=59), 30 * 60),
        (timedelta(days=14, hours=23, minutes=59), (14 * 24 + 23) * 60),
        (timedelta(days=20, hours=5), 20 * 1440),
        (timedelta(days=61, hours=13), 61 * 1440 + 720),
    ],
)
def test_durations_fall_in_buckets_finer_where_they_are_short(duration, minutes):
    assert domain.bucket(int(duration.total_seconds())) == minutes


def test_a_duplicate_merged_into_another_counts_nothing_whatever_it_did():
    answered = facts(acknowledged_at=T + timedelta(hours=2), answered_at=T + timedelta(days=1))
    assert domain.contribution({**answered, "merged_into": "RC-2026-7K3P9QX"}) == {}
    merge = domain.merged({"into": "RC-2026-7K3P9QX"})
    assert merge(answered) == {"merged_into": "RC-2026-7K3P9QX"}
    assert merge({**answered, "merged_into": "RC-2026-7K3P9QX"}) == {}  # delivered again: no change
    counted = domain.contribution(answered)
    operations = domain.differences(counted, domain.contribution({**answered, **merge(answered)}))
    assert {op["cell"] for op in operations} == set(counted)
    assert all(op["inc"]["received"] == -1 for op in operations)  # taken back from every cell


def test_a_rebuild_finds_a_duplicate_by_what_tracking_kept():
    from services.feedback.rebuild import facts_of

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
    assert "merged_into" not in facts_of(tracked)
    merged = facts_of({**tracked, "duplicate_of": "RC-2026-7K3P9QX"})
    assert merged["merged_into"] == "RC-2026-7K3P9QX" and domain.contribution(merged) == {}
