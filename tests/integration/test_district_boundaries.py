"""District boundaries on the real store: given by an administrator, kept, and placing complaints."""

from __future__ import annotations

import uuid

import pytest

from services.intake import store
from tests.integration.staff import make_member, sign_in


def box(west: float, south: float, east: float, north: float) -> list[list[float]]:
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


# A strip far from the default catalogue's districts (a made-up place in the Atlantic), with its
# centre at its western end: a point at its eastern end is nearer another district's centre.
STRIP = {"type": "Polygon", "coordinates": [box(-12.0, 30.0, -10.0, 30.1)]}
NAMES = {"fr": "Bande", "ar": "شريط", "en": "Strip"}


@pytest.fixture
def admin(apps, db):
    """An administrator's headers; the districts the test adds are gone after it."""
    before = {d["_id"] for d in db[store.DISTRICTS].find({}, {"_id": 1})}
    store.invalidate_catalog()
    yield sign_in(apps["tracking"], make_member(db, "admin"))
    db[store.DISTRICTS].delete_many({"_id": {"$nin": sorted(before)}})
    store.invalidate_catalog()


def add_district(apps, admin, code: str, **fields) -> object:
    body = {"code": code, "name": NAMES, **fields}
    return apps["intake"].post("/api/v1/staff/catalog/districts", json=body, headers=admin)


def file_at(apps, lat: float, lon: float) -> object:
    """File a complaint that names no district, only its point."""
    body = {
        "kind": "complaint",
        "category": "roads",
        "subject": "Nid de poule",
        "description": "Un trou profond.",
        "location": {"lat": lat, "lon": lon},
        "citizen": {"email": "bande@example.ma", "language": "fr"},
        "consent": True,
    }
    return apps["intake"].post("/api/v1/complaints", json=body)


def test_a_complaint_lands_in_the_district_whose_boundary_holds_its_point(apps, admin, db):
    strip, beside = f"strip-{uuid.uuid4().hex[:6]}", f"beside-{uuid.uuid4().hex[:6]}"
    added = add_district(apps, admin, strip, center={"lat": 30.05, "lon": -11.95}, boundary=STRIP)
    assert added.status_code == 201, added.json
    assert added.json["boundary"] == STRIP  # GeoJSON again, as given
    # Another district's centre, just east of the strip's end: the nearest centre of its east end.
    assert add_district(apps, admin, beside, center={"lat": 30.05, "lon": -9.95}).status_code == 201
    store.invalidate_catalog()

    inside = file_at(apps, 30.05, -10.01)
    assert inside.status_code == 201, inside.json
    assert db[store.COMPLAINTS].find_one({"_id": inside.json["number"]})["district"] == strip
    past_the_edge = file_at(apps, 30.05, -9.99)  # outside the strip: the centres place it
    assert db[store.COMPLAINTS].find_one({"_id": past_the_edge.json["number"]})["district"] == beside

    catalogue = apps["intake"].get("/api/v1/staff/catalog", headers=admin).json
    [kept] = [d for d in catalogue["districts"] if d["code"] == strip]
    assert kept["boundary"] == STRIP

    # Moved by a change: the same point is then outside it, and goes to the nearest centre.
    moved = {"type": "MultiPolygon", "coordinates": [[box(-12.0, 30.0, -11.0, 30.1)]]}
    changed = apps["intake"].patch(
        f"/api/v1/staff/catalog/districts/{strip}", json={"boundary": moved}, headers=admin
    )
    assert changed.status_code == 200 and changed.json["boundary"] == moved
    store.invalidate_catalog()
    again = file_at(apps, 30.05, -10.01)
    assert db[store.COMPLAINTS].find_one({"_id": again.json["number"]})["district"] == beside


@pytest.mark.parametrize(
    ("boundary", "says"),
    [
        ({"type": "Polygon", "coordinates": [[[-12, 30], [-10, 30], [-12, 30]]]}, "at least four positions"),
        (
            # a bow tie: its outline crosses itself
            {"type": "Polygon", "coordinates": [[[-12, 30], [-10, 30.1], [-10, 30], [-12, 30.1], [-12, 30]]]},
            "not a valid shape: Self-intersection",
        ),
        ({"type": "LineString", "coordinates": [[-12, 30], [-10, 30]]}, "Polygon or MultiPolygon"),
    ],
)
def test_a_wrong_boundary_is_refused_naming_the_problem_and_nothing_is_added(apps, admin, db, boundary, says):
    code = f"wrong-{uuid.uuid4().hex[:6]}"
    refused = add_district(apps, admin, code, boundary=boundary)
    assert refused.status_code == 400
    assert says in " ".join(refused.json["error"]["fields"]["boundary"])
    assert db[store.DISTRICTS].find_one({"_id": code}) is None


def test_a_point_outside_the_city_is_refused_even_with_its_district_and_nothing_is_filed(apps, admin, db):
    before = db[store.COMPLAINTS].count_documents({})
    body = {
        "kind": "complaint",
        "category": "roads",
        "district": "anfa",
        "subject": "Nid de poule",
        "description": "Un trou profond.",
        "location": {"lat": -7.59, "lon": 33.57},  # latitude and longitude swapped: in the Indian Ocean
        "citizen": {"email": "inverse@example.ma", "language": "fr"},
        "consent": True,
    }
    refused = apps["intake"].post("/api/v1/complaints", json=body)
    assert refused.status_code == 400
    assert "outside the city" in refused.json["error"]["fields"]["location"][0]
    assert db[store.COMPLAINTS].count_documents({}) == before
