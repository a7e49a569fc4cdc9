"""The staff's map on the real store: the queue's complaints, scoped and filtered as the queue, grouped.

Each test's complaints have a category of their own, so that the run's others stay off its map.
"""

from __future__ import annotations

import math
import uuid

import pytest

from services.tracking import grid, handlers, treatment
from services.tracking import store as tracking_store
from services.tracking.app import create_app as tracking_app
from tests.integration.answers import documented
from tests.integration.complaints import submission
from tests.integration.staff import make_member, sign_in

ADMIN = {"sub": "root", "role": "admin", "districts": ["*"]}
ZOOM = 14


@pytest.fixture
def tracking(db):
    tracking_store.ensure_indexes(db)
    return tracking_app({"TESTING": True}).test_client()


def in_cell(lat: float, lon: float, north: float = 0.5, east: float = 0.5) -> dict:
    """Return a point at this share of the way across the map grid's cell (at ZOOM) holding lat, lon."""
    size = grid.cell_degrees(ZOOM)
    return {
        "lat": (math.floor(lat / size) + north) * size,
        "lon": (math.floor(lon / size) + east) * size,
    }


@pytest.fixture
def mapped(db):
    """A category's complaints: three in one cell of anfa, one further, one answered, one late, one
    without a point, one in maarif; their numbers by name."""
    category = f"t-{uuid.uuid4().hex[:8]}"
    here = (33.5901, -7.6301)
    points = {
        "a": in_cell(*here, 0.2, 0.2),
        "b": in_cell(*here, 0.5, 0.6),
        "c": in_cell(*here, 0.8, 0.7),
        "far": in_cell(33.61, -7.60),
        "answered": in_cell(33.57, -7.65),
        "late": in_cell(33.565, -7.66),
        "maarif": in_cell(33.58, -7.63),
    }

    def record(name: str, **changes) -> str:
        given = {"subject": f"Sujet {name}", "location": points.get(name), "days_ago": 1, **changes}
        data = submission(category=category, **given)
        handlers.record_submitted(db, data)
        return data["number"]

    numbers = {name: record(name) for name in ("a", "b", "c", "far", "answered")}
    numbers["late"] = record("late", days_ago=20, ack_days=15)  # its acknowledgement is overdue
    numbers["unplaced"] = record("unplaced")
    numbers["maarif"] = record("maarif", district="maarif")
    for status in ("in_progress", "resolved"):
        treatment.transition(db, ADMIN, numbers["answered"], {"to": status})
    return category, numbers, points


def mapped_for(tracking, headers, **query) -> dict:
    query = {"zoom": ZOOM, **query}
    answer = documented(tracking.get("/api/v1/staff/complaints/map", query_string=query, headers=headers))
    assert answer.status_code == 200, answer.json
    return answer.json


def test_the_map_groups_the_queues_points_of_the_members_districts(db, tracking, mapped):
    category, numbers, points = mapped
    agent = sign_in(tracking, make_member(db, "agent"))  # a member of anfa
    found = mapped_for(tracking, agent, category=category)
    queue = tracking.get("/api/v1/staff/complaints", query_string={"category": category}, headers=agent)
    assert found["total"] == queue.json["total"] == 7  # as the queue counts them: not maarif's
    assert found["unplaced"] == 1 and found["shown"] == 6 and found["capped"] is False
    close = [g for g in found["groups"] if g["count"] == 3]
    assert len(close) == 1 and "number" not in close[0]
    [group] = close
    trio = [points[name] for name in "abc"]
    assert group["lat"] == pytest.approx(sum(p["lat"] for p in trio) / 3, abs=1e-6)
    assert group["lon"] == pytest.approx(sum(p["lon"] for p in trio) / 3, abs=1e-6)
    assert group["bounds"] == pytest.approx(
        [
            min(p["lon"] for p in trio),
            min(p["lat"] for p in trio),
            max(p["lon"] for p in trio),
            max(p["lat"] for p in trio),
        ]
    )
    singles = {g["number"]: g for g in found["groups"] if g["count"] == 1}
    assert set(singles) == {numbers["far"], numbers["answered"], numbers["late"]}
    far = singles[numbers["far"]]
    assert (far["lat"], far["lon"]) == pytest.approx((points["far"]["lat"], points["far"]["lon"]))
    assert numbers["maarif"] not in repr(found)  # another district's

    # Zoomed out, one cell holds them all; an administrator sees maarif's too.
    assert [g["count"] for g in mapped_for(tracking, agent, category=category, zoom=3)["groups"]] == [6]
    admin = sign_in(tracking, make_member(db, "admin"))
    everything = mapped_for(tracking, admin, category=category)
    assert everything["total"] == 8 and everything["shown"] == 7
    assert numbers["maarif"] in {g.get("number") for g in everything["groups"]}


def test_the_map_takes_the_queues_filters_and_a_box(db, tracking, mapped):
    category, numbers, points = mapped
    agent = sign_in(tracking, make_member(db, "agent"))

    def numbers_of(**query) -> set[str]:
        found = mapped_for(tracking, agent, category=category, zoom=22, **query)
        return {g["number"] for g in found["groups"]}

    names = {number: name for name, number in numbers.items()}
    assert {names[n] for n in numbers_of(status="resolved")} == {"answered"}
    assert {names[n] for n in numbers_of(overdue="true")} == {"late"}
    assert {names[n] for n in numbers_of(overdue="false")} == {"a", "b", "c", "far", "answered"}
    assert {names[n] for n in numbers_of(q="Sujet far")} == {"far"}
    trio = [points[name] for name in "abc"]
    box = ",".join(
        str(v)
        for v in (
            min(p["lon"] for p in trio),
            min(p["lat"] for p in trio),
            max(p["lon"] for p in trio),
            max(p["lat"] for p in trio),
        )
    )
    assert {names[n] for n in numbers_of(bbox=box)} == {"a", "b", "c"}
    boxed = mapped_for(tracking, agent, category=category, bbox=box)
    assert boxed["shown"] == 3 and boxed["total"] == 7 and boxed["unplaced"] == 1
    assert numbers_of(bbox="-7.0,33.0,-6.9,33.1") == set()
    # A box too wide to be read by its cells is read whole, then cut.
    assert len(numbers_of(bbox="-8.0,33.0,-7.0,34.0")) == 6

    # Outside the member's districts, nothing; and the queue's refusals are the map's.
    assert mapped_for(tracking, agent, category=category, district="maarif")["groups"] == []
    assert mapped_for(tracking, agent, category=category, unplaced="true")["total"] == 0
    for wrong in ({"zoom": "30"}, {"bbox": "x"}, {"status": "lost"}, {"page": "2"}):
        refused = documented(tracking.get("/api/v1/staff/complaints/map", query_string=wrong, headers=agent))
        assert refused.status_code == 400, wrong
    assert tracking.get("/api/v1/staff/complaints/map").status_code == 401
