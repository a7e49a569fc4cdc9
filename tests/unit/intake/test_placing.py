"""Placing a complaint by its point: the nearest district's centre, within OPEN311_PLACEMENT_KM."""

from __future__ import annotations

import pytest

from common import config, geo
from services.intake import domain
from services.intake.catalog import default_districts

DISTRICTS = {d["_id"]: d for d in default_districts()}


@pytest.fixture
def limit(monkeypatch):
    def set_to(km: float) -> None:
        monkeypatch.setenv("OPEN311_PLACEMENT_KM", str(km))
        config.reload()

    yield set_to
    monkeypatch.delenv("OPEN311_PLACEMENT_KM", raising=False)
    config.reload()


@pytest.mark.parametrize(
    ("point", "district"),
    [
        ((33.589, -7.657), "anfa"),  # on Anfa's centre
        ((33.5765, -7.6372), "maarif"),  # by Maârif's
        ((33.5965, -7.6175), "sidi-belyout"),
    ],
)
def test_a_point_in_the_city_is_placed_in_the_nearest_district(limit, point, district):
    limit(10)
    assert domain.locate(DISTRICTS, {"lat": point[0], "lon": point[1]}) == district


def test_a_point_beyond_the_limit_is_outside_the_city_and_places_nothing(limit):
    limit(10)
    assert domain.locate(DISTRICTS, {"lat": 34.02, "lon": -6.84}) is None  # Rabat, 85 km away
    assert domain.locate(DISTRICTS, None) is None
    limit(100)
    assert domain.locate(DISTRICTS, {"lat": 34.02, "lon": -6.84}) is not None


def test_a_district_without_a_centre_is_never_the_nearest(limit):
    limit(10)
    only = {"anfa": {**DISTRICTS["anfa"], "center": None}, "maarif": DISTRICTS["maarif"]}
    assert domain.locate(only, {"lat": 33.589, "lon": -7.657}) == "maarif"


def test_open311_and_the_form_share_the_one_rule():
    import inspect

    from services.intake import open311

    assert "domain.locate(" in inspect.getsource(open311._district)
    assert "nearest_district" not in inspect.getsource(open311)


def test_distances_are_great_circle_kilometres():
    assert geo.distance_km(33.589, -7.657, 33.589, -7.657) == 0
    # Casablanca to Rabat, about 87 km as the crow flies
    assert 80 < geo.distance_km(33.5731, -7.5898, 34.0209, -6.8416) < 90
    assert geo.distance_km(0, 0, 0, 1) == pytest.approx(111.19, abs=0.01)


def test_the_cells_around_a_point_hold_every_point_within_the_radius():
    import random

    rng = random.Random(7)
    for _ in range(2000):
        lat, lon = rng.uniform(33.4, 33.7), rng.uniform(-7.8, -7.4)
        around = set(geo.cells_around(lat, lon, 0.15))
        bearing_lat, bearing_lon = rng.uniform(-1, 1), rng.uniform(-1, 1)
        scale = 0.15 / max(
            geo.distance_km(lat, lon, lat + bearing_lat * 0.01, lon + bearing_lon * 0.01), 1e-9
        )
        other = (
            lat + bearing_lat * 0.01 * scale * rng.random(),
            lon + bearing_lon * 0.01 * scale * rng.random(),
        )
        assert geo.distance_km(lat, lon, *other) <= 0.1501
        assert geo.cell(*other) in around
    assert geo.cells_around(33.5, -7.6, 0.15)[0] == geo.cell(33.5, -7.6)
    assert len(geo.cells_around(33.5, -7.6, 0.15)) == 9
