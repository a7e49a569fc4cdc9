"""Already reported: what a listing is asked, and how addresses and points are compared."""

from __future__ import annotations

import random

import pytest
from marshmallow import ValidationError

from common import geo
from services.tracking import nearby
from services.tracking.schemas import FollowSchema, MergeSchema, NearbyQuerySchema


def test_addresses_are_compared_without_case_accents_diacritics_or_punctuation():
    assert nearby.address_key("12, Boulevard d'Anfa") == nearby.address_key("12 boulevard D’ANFA ")
    assert nearby.address_key("Rue Maârif") == nearby.address_key("rue maarif")
    assert nearby.address_key("شارع الزرقطوني") == nearby.address_key("شارع الزَّرقطوني")
    assert nearby.address_key("12 Rue A") != nearby.address_key("21 Rue A")
    assert nearby.address_key("  ,. ") is None and nearby.address_key(None) is None


def test_a_complaint_is_found_by_its_points_cell_and_its_folded_address():
    keys = nearby.keys({"lat": 33.5731, "lon": -7.5898}, "12 Bd d'Anfa")
    assert keys == {"cell": geo.cell(33.5731, -7.5898), "address_key": "12 bd d anfa"}
    assert nearby.keys(None, None) == {"cell": None, "address_key": None}


@pytest.mark.parametrize(
    "query",
    [
        {"lat": "33.5", "lon": "-7.6"},  # no category
        {"category": "roads"},  # nowhere
        {"category": "roads", "lat": "33.5"},  # half a point
        {"category": "roads", "address": "12 rue A"},  # an address without its district
        {"category": "roads", "lat": "nan", "lon": "-7.6"},
        {"category": "roads", "lat": "33.5", "lon": "inf"},
        {"category": "roads", "lat": "91", "lon": "-7.6"},
        {"category": "roads", "lat": "33.5", "lon": "-7.6", "q": "x"},  # unknown
        {"category": "x" * 65, "lat": "33.5", "lon": "-7.6"},
    ],
)
def test_a_listing_asked_wrongly_is_refused(query):
    with pytest.raises(ValidationError):
        NearbyQuerySchema().load(query)


def test_a_listing_is_asked_by_a_point_or_by_an_address_in_a_district():
    assert NearbyQuerySchema().load({"category": "roads", "lat": "33.5", "lon": "-7.6"})["lat"] == 33.5
    assert NearbyQuerySchema().load({"category": "roads", "address": "12 rue A", "district": "anfa"})


@pytest.mark.parametrize(
    ("schema", "body"),
    [
        (FollowSchema, {"email": "not-an-email"}),
        (FollowSchema, {"email": "a@example.ma", "language": "de"}),
        (FollowSchema, {"email": {"$ne": ""}}),
        (MergeSchema, {}),
        (MergeSchema, {"into": ""}),
        (MergeSchema, {"into": ["RC-2026-7K3P9QX"]}),
        (MergeSchema, {"into": "RC-2026-7K3P9QX", "status": "closed"}),
    ],
)
def test_following_and_merging_refuse_what_is_not_theirs(schema, body):
    with pytest.raises(ValidationError):
        schema().load(body)


def test_an_unpublished_complaint_is_placed_at_its_squares_centre_which_its_index_cell_holds():
    rng = random.Random(9)
    for _ in range(5000):
        lat, lon = rng.uniform(-60, 60), rng.uniform(-180, 180)
        centre = nearby.square_centre(lat, lon)
        assert geo.cell(*centre) == geo.cell(lat, lon)  # found by the cells around a query point
        assert geo.distance_km(lat, lon, *centre) * 1000 < 80  # about 100 m squares
    # Two points of one square are one place: the same centre, whatever their distance.
    assert nearby.square_centre(33.58205, -7.64095) == nearby.square_centre(33.58295, -7.64005)
    assert nearby.square_centre(33.58205, -7.64095) != nearby.square_centre(33.58305, -7.64095)


@pytest.mark.parametrize(("metres", "shown"), [(0, 50), (1, 50), (50, 50), (50.2, 100), (149.9, 150)])
def test_an_approximate_distance_is_given_in_50_metre_steps(metres, shown):
    assert nearby.approximate_m(metres / 1000) == shown
