"""The alerts for a place's rules (services/tracking/rules.py): which new reports go to which alert,
what is told of them, and the weekly digest. Pure: no store, no settings, no clock."""

import math
from datetime import UTC, datetime, timedelta

import pytest
from marshmallow import ValidationError

from common import geo
from services.tracking import rules
from services.tracking.schemas import AlertRequestSchema

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
CENTRE = {"lat": 33.5951, "lon": -7.6328}


def complaint(**changes) -> dict:
    return {
        "_id": "RC-2026-7K3P9QX",
        "kind": "complaint",
        "category": "roads",
        "category_name": {"fr": "Voirie", "ar": "الطرق", "en": "Roads"},
        "district": "anfa",
        "subject": "Nid de poule",
        "description": "Un trou profond devant le numéro 12.",
        "address": "12 boulevard d'Anfa",
        "location": CENTRE,
        "citizen": {"name": "Amina", "email": "amina@example.ma", "phone": "0600000000", "language": "fr"},
        "email_key": "amina@example.ma",
        "status": "received",
        "publish": True,
        "submitted_at": NOW,
        **changes,
    }


def point_alert(radius_m: int = 500, since: datetime = NOW - WEEK, **place) -> dict:
    return {"district": None, **CENTRE, **place, "radius_m": radius_m, "since": since}


def moved(metres: float, bearing_degrees: float) -> dict:
    """Return the point this far from the centre in this direction (on the sphere, as haversine measures)."""
    d, theta = metres / 1000 / geo.EARTH_KM, math.radians(bearing_degrees)
    lat1, lon1 = math.radians(CENTRE["lat"]), math.radians(CENTRE["lon"])
    lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(theta))
    lon2 = lon1 + math.atan2(
        math.sin(theta) * math.sin(d) * math.cos(lat1), math.cos(d) - math.sin(lat1) * math.sin(lat2)
    )
    return {"lat": math.degrees(lat2), "lon": math.degrees(lon2)}


def test_only_a_published_report_is_told_and_never_anything_of_its_citizen():
    assert rules.report_of(complaint(publish=False)) is None
    assert rules.report_of(complaint(anonymised_at=NOW)) is None  # consent withdrawn with its data
    names = {"fr": "Anfa", "ar": "أنفا", "en": "Anfa"}
    report = rules.report_of(complaint(), names)
    assert report == {
        "number": "RC-2026-7K3P9QX",
        "kind": "complaint",
        "category": "roads",
        "category_name": {"fr": "Voirie", "ar": "الطرق", "en": "Roads"},
        "district": "anfa",
        "district_name": names,
        "status": "received",
        "subject": "Nid de poule",
        "submitted_at": NOW,
    }
    told = str(report)
    assert not any(word in told for word in ("Amina", "amina@", "0600", "boulevard", "trou profond", "33.59"))


@pytest.mark.parametrize("radius_m", [100, 500, 5000])
@pytest.mark.parametrize("bearing", range(0, 360, 15))
def test_the_box_holds_the_whole_circle_so_the_store_never_drops_a_report_within_the_radius(
    radius_m, bearing
):
    box = rules.alert_box(CENTRE["lat"], CENTRE["lon"], radius_m)
    edge = moved(radius_m * 0.9999, bearing)
    assert box["lat_min"] <= edge["lat"] <= box["lat_max"] and box["lon_min"] <= edge["lon"] <= box["lon_max"]
    assert box["lat_min"] >= CENTRE["lat"] - rules.ALERT_LAT_SPAN  # the store's range reaches it


def test_the_box_is_tight_enough_to_prefilter():
    box = rules.alert_box(CENTRE["lat"], CENTRE["lon"], 1000)
    assert box["lat_max"] - box["lat_min"] < 0.0181 and box["lon_max"] - box["lon_min"] < 0.0218


@pytest.mark.parametrize(
    ("metres", "matches"), [(0, True), (120, True), (499, True), (501, False), (800, False), (4000, False)]
)
def test_a_point_alert_takes_the_reports_within_its_radius_measured_exactly(metres, matches):
    location = moved(metres, 63)
    report = rules.report_of(complaint(location=location))
    match = rules.alert_match(point_alert(500), report, location)
    assert (match is not None) is matches
    if matches:
        assert abs(match["distance_m"] - metres) <= 1


def test_a_point_alert_takes_no_report_without_a_point():
    report = rules.report_of(complaint(location=None))
    assert rules.alert_match(point_alert(5000), report, None) is None


def test_a_district_alert_takes_its_districts_reports_wherever_they_are():
    district = {"district": "anfa", "lat": None, "lon": None, "radius_m": None, "since": NOW - WEEK}
    far = moved(4000, 180)
    assert rules.alert_match(district, rules.report_of(complaint(location=far)), far) == {"distance_m": None}
    assert rules.alert_match(district, rules.report_of(complaint(location=None)), None) == {
        "distance_m": None
    }
    elsewhere = rules.report_of(complaint(district="maarif"))
    assert rules.alert_match(district, elsewhere, CENTRE) is None


def test_no_alert_takes_a_report_filed_before_it_was_confirmed_nor_is_it_unconfirmed():
    report = rules.report_of(complaint())
    assert rules.alert_match(point_alert(since=NOW + timedelta(seconds=1)), report, CENTRE) is None
    assert rules.alert_match(point_alert(since=None), report, CENTRE) is None
    assert rules.alert_match(point_alert(since=NOW), report, CENTRE) == {"distance_m": 0}


@pytest.mark.parametrize(
    ("late", "weeks_on"),
    [(timedelta(0), 1), (timedelta(minutes=1), 1), (WEEK, 2), (WEEK * 5 + timedelta(hours=3), 6)],
)
def test_the_next_digest_is_a_week_on_and_a_stopped_platform_sends_one_not_one_per_week_missed(
    late, weeks_on
):
    due = NOW - late
    assert rules.next_digest(due, NOW) == due + WEEK * weeks_on
    assert rules.next_digest(due, NOW) > NOW


def test_a_digest_lists_the_reports_still_published_newest_first_with_their_status_now():
    collected = {
        f"RC-2026-000000{i}": {
            **rules.report_of(complaint(_id=f"RC-2026-000000{i}")),
            "submitted_at": NOW - WEEK + timedelta(days=i),
        }
        for i in range(1, 5)
    }
    now_known = {
        "RC-2026-0000001": {"_id": "RC-2026-0000001", "status": "resolved", "publish": True},
        "RC-2026-0000002": {
            "_id": "RC-2026-0000002",
            "status": "received",
            "publish": False,
            "anonymised_at": NOW,
        },
        "RC-2026-0000003": {"_id": "RC-2026-0000003", "status": "in_progress", "publish": True},
        # RC-2026-0000004 is gone from the store
    }
    listed = rules.digest_reports(collected, now_known)
    assert [(r["number"], r["status"]) for r in listed] == [
        ("RC-2026-0000003", "in_progress"),
        ("RC-2026-0000001", "resolved"),
    ]


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ({"district": "anfa"}, None),
        ({"lat": 33.59, "lon": -7.63, "radius_m": 100}, None),
        ({"lat": 33.59, "lon": -7.63, "radius_m": 5000}, None),
        ({}, "lat"),
        ({"lat": 33.59, "lon": -7.63}, "radius_m"),
        ({"lat": 33.59, "radius_m": 500}, "lon"),
        ({"district": "anfa", "lat": 33.59, "lon": -7.63, "radius_m": 500}, "district"),
        ({"lat": 33.59, "lon": -7.63, "radius_m": 99}, "radius_m"),
        ({"lat": 33.59, "lon": -7.63, "radius_m": 5001}, "radius_m"),
        ({"lat": 33.59, "lon": -7.63, "radius_m": 500.5}, "radius_m"),
        ({"lat": "33.59", "lon": -7.63, "radius_m": 500}, "lat"),
        ({"lat": 91, "lon": -7.63, "radius_m": 500}, "lat"),
        ({"district": {"$ne": None}}, "district"),
    ],
)
def test_a_request_names_one_place_a_district_or_a_point_and_a_bounded_radius(body, refused):
    request = {"email": "salma@example.ma", "frequency": "each", **body}
    if refused is None:
        assert AlertRequestSchema().load(request)["language"] == "fr"
        return
    with pytest.raises(ValidationError) as error:
        AlertRequestSchema().load(request)
    assert refused in error.value.messages


def test_a_request_names_its_frequency_each_or_weekly():
    with pytest.raises(ValidationError) as error:
        AlertRequestSchema().load({"email": "a@example.ma", "district": "anfa", "frequency": "daily"})
    assert "frequency" in error.value.messages
