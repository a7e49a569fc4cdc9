"""Feedback's pure rules, table by table: which facts an event brings, what they count, the figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.feedback import rules

T = datetime(2026, 3, 2, 8, tzinfo=UTC)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def facts(**changes) -> dict:
    return {
        "district": "anfa",
        "category": "roads",
        "month": "2026-03",
        "submitted_at": T,
        "answer_due": T + 60 * DAY,
        **changes,
    }


@pytest.mark.parametrize(
    ("change", "record", "expected"),
    [
        # A submission: once, and a placement seen before it is the later fact.
        (
            rules.submitted(
                {
                    "kind": "claim",
                    "district": None,
                    "category": "roads",
                    "submitted_at": T,
                    "ack_due": T,
                    "answer_due": T,
                }
            ),
            {"district": "anfa", "placed_at": T + HOUR},
            {
                "kind": "claim",
                "district": "anfa",
                "category": "roads",
                "submitted_at": T,
                "month": "2026-03",
                "ack_due": T,
                "answer_due": T,
            },
        ),
        (rules.submitted({"submitted_at": T}), {"month": "2026-03"}, {}),
        # A placement: the latest counts.
        (rules.placed({"district": "sbata", "at": T}), {}, {"district": "sbata", "placed_at": T}),
        (rules.placed({"district": "sbata", "at": T}), {"placed_at": T + HOUR}, {}),
        (
            rules.placed({"district": "sbata", "at": T + HOUR}),
            {"placed_at": T},
            {"district": "sbata", "placed_at": T + HOUR},
        ),
        # A status change out of `received` is the first response; the earliest one counts.
        (
            rules.status_changed({"previous": "received", "status": "in_progress", "at": T + HOUR}),
            {},
            {"acknowledged_at": T + HOUR},
        ),
        (
            rules.status_changed({"previous": "received", "status": "rejected", "at": T + HOUR}),
            {"acknowledged_at": T + 2 * HOUR},
            {"acknowledged_at": T + HOUR, "answered_at": T + HOUR},
        ),
        (rules.status_changed({"previous": "in_progress", "status": "in_progress", "at": T}), {}, {}),
        # The first answer counts, and reopenings only grow.
        (
            rules.status_changed(
                {"previous": "reopened", "status": "resolved", "at": T + DAY, "reopen_count": 1}
            ),
            {"answered_at": T + HOUR},
            {"reopen_count": 1},
        ),
        (rules.reopenings(2), {"reopen_count": 1}, {"reopen_count": 2}),
        (rules.reopenings(1), {"reopen_count": 2}, {}),
        # The first rating of an answer counts.
        (
            rules.rated({"answer": 1, "satisfaction": 4, "outcome": "resolved", "at": T}),
            {},
            {"ratings": {"1": {"satisfaction": 4, "outcome": "resolved", "at": T}}},
        ),
        (
            rules.rated({"answer": 1, "satisfaction": 1, "outcome": "not_resolved", "at": T}),
            {"ratings": {"1": {}}},
            {},
        ),
        # A merge, once.
        (rules.merged({"into": "RC-2026-KEPT000"}), {}, {"merged_into": "RC-2026-KEPT000"}),
        (rules.merged({"into": "RC-2026-OTHER00"}), {"merged_into": "RC-2026-KEPT000"}, {}),
    ],
)
def test_the_facts_an_event_brings_to_what_is_known(change, record, expected):
    assert change(record) == expected


@pytest.mark.parametrize(
    ("known", "counters"),
    [
        ({"acknowledged_at": T}, None),  # the submission not yet seen
        (facts(merged_into="RC-2026-KEPT000", answered_at=T + DAY), None),  # a duplicate
        (facts(), {"received": 1}),
        (
            facts(acknowledged_at=T + 90 * timedelta(minutes=1)),
            {"received": 1, "acknowledged": 1, "ack_seconds": 5400, "ack_minutes:m90": 1},
        ),
        (
            facts(answered_at=T + DAY),
            {
                "received": 1,
                "answered": 1,
                "answered_within": 1,
                "answer_seconds": 86400,
                "answer_minutes:m1440": 1,
            },
        ),
        (
            facts(answered_at=T + 61 * DAY, reopen_count=1),
            {
                "received": 1,
                "answered": 1,
                "answer_seconds": 61 * 86400,
                "answer_minutes:m87840": 1,
                "reopened": 1,
            },
        ),
        (facts(reopen_count=1), {"received": 1}),  # reopened counts among the answered only
        (
            facts(answered_at=T - HOUR),
            {"received": 1, "answered": 1, "answered_within": 1, "answer_minutes:m0": 1},
        ),
        (
            facts(
                ratings={
                    "1": {"satisfaction": 2, "outcome": "not_resolved"},
                    "2": {"satisfaction": 5, "outcome": "resolved"},
                }
            ),
            {
                "received": 1,
                "ratings": 2,
                "satisfaction_sum": 7,
                "satisfaction:s2": 1,
                "satisfaction:s5": 1,
                "outcome:not_resolved": 1,
                "outcome:resolved": 1,
            },
        ),
    ],
    ids=[
        "unseen",
        "duplicate",
        "received",
        "acknowledged",
        "answered",
        "late and reopened",
        "reopened unanswered",
        "clock skew",
        "rated",
    ],
)
def test_what_a_complaint_counts_in_each_of_its_four_cells(known, counters):
    counted = rules.contribution(known)
    if counters is None:
        assert counted == {}
        return
    assert sorted(counted) == ["*|*|2026-03", "*|roads|2026-03", "anfa|*|2026-03", "anfa|roads|2026-03"]
    assert all(cell == counters for cell in counted.values())


@pytest.mark.parametrize(
    ("district", "cells"),
    [
        ("anfa", ["anfa|roads|2026-03", "anfa|*|2026-03", "*|roads|2026-03", "*|*|2026-03"]),
        (None, ["-|roads|2026-03", "-|*|2026-03", "*|roads|2026-03", "*|*|2026-03"]),
    ],
)
def test_an_unplaced_complaint_counts_in_a_district_no_filter_names(district, cells):
    assert rules.cells_of(facts(district=district)) == cells


@pytest.mark.parametrize(
    ("before", "after", "cells", "inc"),
    [
        (facts(), facts(), [], None),
        (
            facts(),
            facts(acknowledged_at=T + HOUR),
            ["anfa|roads|2026-03", "*|roads|2026-03", "anfa|*|2026-03", "*|*|2026-03"],
            {"acknowledged": 1, "ack_minutes:m60": 1, "ack_seconds": 3600},
        ),
        (
            facts(acknowledged_at=T + HOUR),
            facts(),
            ["anfa|roads|2026-03", "*|roads|2026-03", "anfa|*|2026-03", "*|*|2026-03"],
            {"acknowledged": -1, "ack_minutes:m60": -1, "ack_seconds": -3600},
        ),
        (
            facts(district=None),
            facts(district="sbata", placed_at=T),
            ["-|roads|2026-03", "sbata|roads|2026-03", "-|*|2026-03", "sbata|*|2026-03"],
            None,
        ),
    ],
    ids=["nothing changed", "acknowledged", "taken back", "placed: moved from one district to another"],
)
def test_the_operations_take_the_cells_from_counted_to_target_narrowest_first(before, after, cells, inc):
    operations = rules.differences(rules.contribution(before), rules.contribution(after))
    assert [op["cell"] for op in operations] == cells
    assert all("id" not in op for op in operations)  # the writer gives them theirs
    if inc is not None:
        assert all(op["inc"] == inc for op in operations)


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
    assert rules.bucket(int(duration.total_seconds())) == minutes


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
    assert rules.median_minutes(histogram) == median


@pytest.mark.parametrize(
    ("part", "whole", "share"),
    [(0, 0, None), (1, 3, 0.3333), (2, 3, 0.6667), (3, 3, 1.0), (0, 5, 0.0)],
)
def test_rates_are_shares_to_four_places_and_none_of_nothing(part, whole, share):
    assert rules.ratio(part, whole) == share


@pytest.mark.parametrize(
    ("counters", "expected"),
    [
        ({}, {"count": 0, "mean_hours": None, "median_hours": None}),
        (
            {"answered": 2, "answer_seconds": 3 * 3600, "answer_minutes": {"m60": 1, "m120": 1}},
            {"count": 2, "mean_hours": 1.5, "median_hours": 1.5},
        ),
        (
            {"answered": 3, "answer_seconds": 100, "answer_minutes": {"m0": 3}},
            {"count": 3, "mean_hours": 0.01, "median_hours": 0.0},
        ),
    ],
)
def test_times_are_a_mean_from_seconds_and_a_median_from_the_histogram_in_hours(counters, expected):
    assert rules.durations(counters, "answer", "answered") == expected


@pytest.mark.parametrize(
    ("counters", "figure", "value"),
    [
        ({}, "received", 0),
        ({}, "answered_within_deadline_rate", None),
        ({"answered": 4, "answered_within": 3}, "answered_within_deadline_rate", 0.75),
        ({"answered": 3, "reopened": 1}, "reopen_rate", 0.3333),
        (
            {"ratings": 3, "satisfaction_sum": 11},
            "satisfaction",
            {"ratings": 3, "mean": 3.67, "distribution": dict.fromkeys("12345", 0)},
        ),
        (
            {"ratings": 2, "outcome": {"resolved": 1, "not_resolved": 1}},
            "outcome_shares",
            {"resolved": 0.5, "partially_resolved": 0.0, "not_resolved": 0.5},
        ),
        ({}, "outcomes", {"resolved": 0, "partially_resolved": 0, "not_resolved": 0}),
    ],
)
def test_the_figures_from_summed_counters(counters, figure, value):
    assert rules.summary(counters)[figure] == value


@pytest.mark.parametrize(
    ("known", "first", "last", "months"),
    [
        ([], None, None, []),
        (["2026-01", "2026-03"], None, None, ["2026-01", "2026-02", "2026-03"]),
        (["2025-11", "2026-02"], None, None, ["2025-11", "2025-12", "2026-01", "2026-02"]),
        (["2026-01", "2026-03", "2026-05"], "2026-02", "2026-04", ["2026-03"]),
        (["2026-01", "2026-03"], "2026-04", None, []),
    ],
)
def test_a_period_runs_from_its_first_to_its_last_month_with_complaints(known, first, last, months):
    assert rules.period(known, first, last) == months


@pytest.mark.parametrize(
    ("tracked", "answer_due"),
    [
        ({"answer_due": T + 60 * DAY}, T + 60 * DAY),
        ({"answer_due": T + 90 * DAY, "reopen_count": 1, "answer_days": 30}, T + 30 * DAY),
        ({"answer_due": T + 90 * DAY, "reopen_count": 1}, T + 60 * DAY),
        ({"answer_due": T + 90 * DAY, "reopen_count": 1, "first_answer_due": T + 45 * DAY}, T + 45 * DAY),
    ],
    ids=[
        "never reopened",
        "reopened: the category's deadline",
        "reopened: the legal one",
        "kept by tracking",
    ],
)
def test_a_rebuild_measures_the_answer_deadline_set_at_submission(tracked, answer_due):
    complaint = {
        "kind": "complaint",
        "district": "anfa",
        "category": "roads",
        "submitted_at": T,
        "ack_due": T,
        **tracked,
    }
    assert rules.facts_of(complaint)["answer_due"] == answer_due


@pytest.mark.parametrize(
    ("timeline", "acknowledged_at", "answered_at"),
    [
        (["received"], None, None),
        (["received", "in_progress", "resolved", "reopened", "rejected"], T + 1 * HOUR, T + 2 * HOUR),
        (["received", "rejected"], T + HOUR, T + HOUR),
    ],
)
def test_a_rebuild_reads_the_first_response_and_answer_from_the_timeline(
    timeline, acknowledged_at, answered_at
):
    entries = [{"status": status, "at": T + i * HOUR} for i, status in enumerate(timeline)]
    complaint = {
        "kind": "complaint",
        "district": "anfa",
        "category": "roads",
        "submitted_at": T,
        "ack_due": T,
    }
    found = rules.facts_of({**complaint, "answer_due": T, "timeline": entries})
    assert (found.get("acknowledged_at"), found.get("answered_at")) == (acknowledged_at, answered_at)
