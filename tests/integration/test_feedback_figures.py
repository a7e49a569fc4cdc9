"""The quality figures against the real store: a known history, every figure checked exactly."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from common.envelope import isoformat, new_event
from services.feedback import counting, rules, store
from tests.integration.feedback_events import (
    DAY,
    HOUR,
    changed,
    deliver,
    figures_client,
    rated,
    reopened,
    submitted,
)


def history(prefix: str) -> list[dict]:
    """Six complaints over four months, with known times, treatments, reopenings and ratings."""
    c1, c2, c3, c4, c5, c6 = (f"{prefix}-{i}" for i in range(1, 7))
    t1 = datetime(2026, 3, 2, 8, tzinfo=UTC)
    t2 = datetime(2026, 3, 10, 10, tzinfo=UTC)
    t3 = datetime(2026, 3, 15, 9, tzinfo=UTC)
    t4 = datetime(2026, 4, 1, 0, tzinfo=UTC)
    return [
        # C1: acknowledged after 2 h, resolved after 48 h, rated 5 "resolved".
        submitted(c1, "anfa", "roads", t1),
        changed(c1, "received", "acknowledged", t1 + 2 * HOUR),
        changed(c1, "acknowledged", "in_progress", t1 + DAY),
        changed(c1, "in_progress", "resolved", t1 + 48 * HOUR),
        rated(c1, 1, 5, "resolved", t1 + 50 * HOUR),
        # C2: 2 days to answer; in progress after 4 h, resolved after 72 h (late), rated 2,
        # reopened, resolved again, rated 4.
        submitted(c2, "anfa", "roads", t2, answer_days=2),
        changed(c2, "received", "in_progress", t2 + 4 * HOUR),
        changed(c2, "in_progress", "resolved", t2 + 72 * HOUR),
        rated(c2, 1, 2, "not_resolved", t2 + 73 * HOUR),
        changed(c2, "resolved", "reopened", t2 + 80 * HOUR, reopen_count=1),
        reopened(c2, t2 + 80 * HOUR, 1),
        changed(c2, "reopened", "resolved", t2 + 100 * HOUR, reopen_count=1),
        rated(c2, 2, 4, "partially_resolved", t2 + 101 * HOUR),
        # C3: rejected at once after 6 h, never rated.
        submitted(c3, "anfa", "lighting", t3),
        changed(c3, "received", "rejected", t3 + 6 * HOUR),
        # C4: acknowledged after 1 h, not answered yet.
        submitted(c4, "maarif", "roads", t4),
        changed(c4, "received", "acknowledged", t4 + HOUR),
        # C5 and C6: nothing done yet; nothing at all in May.
        submitted(c5, "maarif", "roads", datetime(2026, 4, 20, tzinfo=UTC)),
        submitted(c6, "anfa", "roads", datetime(2026, 6, 5, tzinfo=UTC)),
    ]


@pytest.fixture
def client(db):
    return figures_client(db)


def stats(client, **params) -> dict:
    answer = client.get("/api/v1/stats", query_string=params)
    assert answer.status_code == 200, answer.json
    return answer.json


def empty_month(month: str) -> dict:
    return {"month": month, **rules.summary({})}


EXPECTED_TOTAL = {
    "received": 6,
    "acknowledged": 4,
    "answered": 3,
    "answered_within_deadline": 2,
    "answered_within_deadline_rate": 0.6667,
    # 1, 2, 4 and 6 hours
    "time_to_acknowledge": {"count": 4, "mean_hours": 3.25, "median_hours": 3.0},
    # 6, 48 and 72 hours (the first answer counts)
    "time_to_answer": {"count": 3, "mean_hours": 42.0, "median_hours": 48.0},
    "reopened": 1,
    "reopen_rate": 0.3333,
    "satisfaction": {"ratings": 3, "mean": 3.67, "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}},
    "outcomes": {"resolved": 1, "partially_resolved": 1, "not_resolved": 1},
    "outcome_shares": {"resolved": 0.3333, "partially_resolved": 0.3333, "not_resolved": 0.3333},
}
EXPECTED_MARCH = {
    **EXPECTED_TOTAL,
    "month": "2026-03",
    "received": 3,
    "acknowledged": 3,
    "time_to_acknowledge": {"count": 3, "mean_hours": 4.0, "median_hours": 4.0},
}
EXPECTED_APRIL = {
    **rules.summary({}),
    "month": "2026-04",
    "received": 2,
    "acknowledged": 1,
    "time_to_acknowledge": {"count": 1, "mean_hours": 1.0, "median_hours": 1.0},
}
EXPECTED_JUNE = {**rules.summary({}), "month": "2026-06", "received": 1}


def test_every_figure_of_a_known_history_in_total_and_by_month(client):
    deliver(history("RC-2026-A"))
    figures = stats(client)
    assert figures["filters"] == {"district": None, "category": None, "from": None, "to": None}
    by_month = figures.pop("by_month")
    figures.pop("filters")
    assert figures == EXPECTED_TOTAL
    assert by_month == [EXPECTED_MARCH, EXPECTED_APRIL, empty_month("2026-05"), EXPECTED_JUNE]


def test_filters_by_district_category_and_period(client):
    deliver(history("RC-2026-B"))
    roads = stats(client, category="roads")
    assert roads["received"] == 5
    assert roads["time_to_acknowledge"] == {"count": 3, "mean_hours": 2.33, "median_hours": 2.0}
    assert roads["time_to_answer"] == {"count": 2, "mean_hours": 60.0, "median_hours": 60.0}
    assert roads["answered_within_deadline_rate"] == 0.5
    assert roads["reopen_rate"] == 0.5
    anfa_lighting = stats(client, district="anfa", category="lighting")
    assert anfa_lighting["received"] == 1 and anfa_lighting["answered_within_deadline"] == 1
    assert anfa_lighting["time_to_answer"]["median_hours"] == 6.0
    assert anfa_lighting["satisfaction"]["mean"] is None
    april = stats(client, **{"from": "2026-04", "to": "2026-04-30"})
    assert april["filters"]["from"] == "2026-04" and april["filters"]["to"] == "2026-04"
    assert [m["month"] for m in april["by_month"]] == ["2026-04"]
    assert april["received"] == 2
    assert stats(client, district="nowhere")["received"] == 0
    assert stats(client, district="", category="")["received"] == 6


def test_redelivered_and_reordered_events_change_nothing_twice(client):
    events = history("RC-2026-C")
    shuffled = events * 2
    random.Random(7).shuffle(shuffled)
    deliver(shuffled)
    figures = stats(client)
    figures.pop("filters")
    by_month = figures.pop("by_month")
    assert figures == EXPECTED_TOTAL
    assert by_month[0] == EXPECTED_MARCH


def test_a_stop_between_recording_and_counting_is_finished_once(client, db, monkeypatch):
    events = history("RC-2026-D")
    deliver(events[:3])
    # The process stops right after adding the answer to its cell, before noting that it did.
    applied = store._apply

    def apply_then_stop(db, operation, live):
        applied(db, operation, live)
        raise RuntimeError("killed")

    monkeypatch.setattr(store, "_apply", apply_then_stop)
    with pytest.raises(RuntimeError):
        deliver([events[3]])
    monkeypatch.undo()
    assert store.with_pending(db) == ["RC-2026-D-1"]
    deliver([events[3]])  # the redelivery finishes what was recorded, and counts nothing twice
    assert store.with_pending(db) == []
    assert stats(client)["time_to_answer"] == {"count": 1, "mean_hours": 48.0, "median_hours": 48.0}
    # A stop before the cell was touched: the periodic pass finishes it.
    monkeypatch.setattr(store, "apply_operations", lambda *_: (_ for _ in ()).throw(RuntimeError("killed")))
    with pytest.raises(RuntimeError):
        deliver([events[4]])
    monkeypatch.undo()
    assert counting.settle_unfinished(db) == 1
    deliver([events[4]])
    assert stats(client)["satisfaction"]["distribution"]["5"] == 1
    # The cells keep no memory of operations that are done: they do not grow with the events.
    assert store.with_pending(db) == [] and store.pending_ids(db) == set()
    assert all(cell["ops"] == {} or len(cell["ops"]) <= 1 for cell in db[store.CELLS].find())


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "March"}, "from"),
        ({"to": "2026-13"}, "to"),
        ({"from": "2026-05", "to": "2026-04"}, "to"),
        ({"district": "x" * 65}, "district"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_filters_are_refused_in_the_contract_shape(client, params, field):
    answer = client.get("/api/v1/stats", query_string=params)
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "validation_error"
    assert field in answer.json["error"]["fields"]


def test_no_personal_data_in_the_figures_or_the_read_model(client, db):
    deliver(history("RC-2026-E"))
    text = client.get("/api/v1/stats").get_data(as_text=True)
    stored = repr(list(db[store.COMPLAINTS].find())) + repr(list(db[store.CELLS].find()))
    for personal in ("Nadia", "nadia@example.ma", "+212600000000", "Merci"):
        assert personal not in text
        assert personal not in stored


def placed(number, district, previous, at):
    return new_event(
        "complaint.placed",
        source="tracking",
        subject=number,
        data={
            "number": number,
            "district": district,
            "category": "roads",
            "department": "roads",
            "previous_district": previous,
            "district_name": {"fr": district, "ar": district, "en": district},
            "at": isoformat(at),
            "by": "staff",
        },
    )


@pytest.mark.parametrize("order", ["in order", "placements first", "twice, shuffled"])
def test_a_complaint_counts_in_the_district_it_was_placed_in_last(client, order):
    t = datetime(2026, 3, 2, 8, tzinfo=UTC)
    number = f"RC-2026-P{order[0].upper()}"
    events = [
        submitted(number, None, "roads", t),
        placed(number, "anfa", None, t + HOUR),
        changed(number, "received", "acknowledged", t + 2 * HOUR),
        placed(number, "maarif", "anfa", t + 3 * HOUR),
    ]
    if order == "placements first":
        events = [events[3], events[1], events[0], events[2]]
    elif order == "twice, shuffled":
        events = events * 2
        random.Random(3).shuffle(events)
    deliver(events)
    assert stats(client, district="maarif")["received"] == 1
    assert stats(client, district="maarif")["acknowledged"] == 1
    assert stats(client, district="anfa")["received"] == 0
    assert stats(client)["received"] == 1 and stats(client, category="roads")["received"] == 1


def test_an_unplaced_complaint_counts_for_the_city_until_it_is_placed(client):
    t = datetime(2026, 3, 2, 8, tzinfo=UTC)
    deliver([submitted("RC-2026-UNPLACED", None, "roads", t)])
    assert stats(client)["received"] == 1 and stats(client, category="roads")["received"] == 1
    assert stats(client, district="anfa")["received"] == 0
