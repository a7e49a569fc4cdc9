"""Intake's rules, case by case: each table is what a reader checks the rule against."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from common.vocabulary import Channel, Kind, Language
from services.intake import boundaries, rules

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CENTRES = {
    "anfa": {"center": {"lat": 33.589, "lon": -7.657}},
    "maarif": {"center": {"lat": 33.576, "lon": -7.637}},
    "sidi-belyout": {"center": {"lat": 33.597, "lon": -7.617}},
    "unplaced": {"center": None},  # a district added without a centre
}


@pytest.mark.parametrize(
    ("ack_days", "answer_days", "ack_due", "answer_due"),
    [
        (15, 60, datetime(2026, 3, 17, 12, tzinfo=UTC), datetime(2026, 5, 1, 12, tzinfo=UTC)),  # the decree
        (2, 15, datetime(2026, 3, 4, 12, tzinfo=UTC), datetime(2026, 3, 17, 12, tzinfo=UTC)),  # safety
        (1, 1, datetime(2026, 3, 3, 12, tzinfo=UTC), datetime(2026, 3, 3, 12, tzinfo=UTC)),
    ],
)
def test_deadlines_are_counted_in_days_from_the_submission(ack_days, answer_days, ack_due, answer_due):
    assert rules.deadlines(NOON, ack_days, answer_days) == (ack_due, answer_due)


@pytest.mark.parametrize(
    ("changes", "one", "in_order"),
    [
        ({"ack_days": 10}, True, True),
        ({"ack_days": 31}, True, False),  # after the stored answer (30 days)
        ({"answer_days": 4}, True, False),  # before the stored acknowledgement (5 days)
        ({"answer_days": 5}, True, True),  # the same day is allowed
        ({"ack_days": 3, "answer_days": 20}, False, True),  # both: the schema compares them
        ({"name": {"fr": "Voirie"}}, False, True),
    ],
)
def test_a_category_change_keeps_the_acknowledgement_before_the_answer(changes, one, in_order):
    stored = {"ack_days": 5, "answer_days": 30}
    assert rules.changes_one_deadline(changes) is one
    assert rules.deadlines_in_order(changes, stored) is in_order


@pytest.mark.parametrize(
    ("point", "within_km", "district"),
    [
        ({"lat": 33.589, "lon": -7.657}, 10, "anfa"),  # on Anfa's centre
        ({"lat": 33.5765, "lon": -7.6372}, 10, "maarif"),
        ({"lat": 33.5965, "lon": -7.6175}, 10, "sidi-belyout"),
        ({"lat": 34.02, "lon": -6.84}, 10, None),  # Rabat, 85 km away: outside the city
        ({"lat": 34.02, "lon": -6.84}, 100, "sidi-belyout"),  # within a wider limit, the nearest
        ({"lat": 33.5765, "lon": -7.6372}, 0.01, None),  # 50 m from Maârif's centre, beyond 10 m
        (None, 10, None),  # no point places nothing
    ],
)
def test_a_point_is_placed_in_the_district_whose_centre_is_nearest_within_the_limit(
    point, within_km, district
):
    assert rules.locate(CENTRES, point, within_km) == district


def square(west: float, south: float, east: float, north: float) -> list[list[float]]:
    """Return a ring around a box, in GeoJSON's order: longitude, latitude; closed."""
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


# Anfa is drawn as a box with a hole (a park that belongs to Maârif), Maârif as two boxes, the
# park and one beside Anfa's; Sidi Belyout keeps only its centre. Maârif's centre lies nearer
# Anfa's east edge than Anfa's own does: only the boundaries place those points right.
BOUNDED = {
    "anfa": {
        "center": {"lat": 33.589, "lon": -7.657},
        "boundary": boundaries.encode(
            {
                "type": "Polygon",
                "coordinates": [square(-7.70, 33.56, -7.64, 33.60), square(-7.68, 33.57, -7.67, 33.58)],
            }
        ),
    },
    "maarif": {
        "center": {"lat": 33.576, "lon": -7.637},
        "boundary": boundaries.encode(
            {
                "type": "MultiPolygon",
                "coordinates": [[square(-7.68, 33.57, -7.67, 33.58)], [square(-7.64, 33.56, -7.63, 33.60)]],
            }
        ),
    },
    "sidi-belyout": {"center": {"lat": 33.597, "lon": -7.617}},
}


@pytest.mark.parametrize(
    ("point", "district"),
    [
        ({"lat": 33.59, "lon": -7.645}, "anfa"),  # inside, nearer Maârif's centre than Anfa's
        ({"lat": 33.575, "lon": -7.675}, "maarif"),  # in Anfa's hole: the park, Maârif's first part
        ({"lat": 33.58, "lon": -7.635}, "maarif"),  # in Maârif's second part
        ({"lat": 33.59, "lon": -7.64}, "anfa"),  # on the edge the two share: the first by code
        ({"lat": 33.60, "lon": -7.70}, "anfa"),  # on a corner of the outline
        ({"lat": 33.57, "lon": -7.68}, "anfa"),  # on the hole's corner: Anfa's edge and the park's
        ({"lat": 33.597, "lon": -7.62}, "sidi-belyout"),  # in no boundary: the unbounded centres
        ({"lat": 33.55, "lon": -7.66}, None),  # below Anfa, far from Sidi Belyout: outside the city
    ],
)
def test_a_point_is_placed_in_the_district_whose_boundary_holds_it(point, district):
    assert rules.locate(BOUNDED, point, 2) == district


@pytest.mark.parametrize(
    ("boundary", "problem"),
    [
        ({"type": "Polygon", "coordinates": [square(0, 0, 1, 1)]}, None),
        ({"type": "MultiPolygon", "coordinates": [[square(0, 0, 1, 1)], [square(2, 0, 3, 1)]]}, None),
        ({"type": "Point", "coordinates": [0, 0]}, "of type Polygon or MultiPolygon"),
        ("POLYGON ((0 0, 1 0, 1 1, 0 0))", "of type Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": []}, "`coordinates` is empty"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "at least four positions"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "ends where it starts"),
        (
            {"type": "Polygon", "coordinates": [[[33.5, -7.6], [33.6, -7.6], [33.6, 95], [33.5, -7.6]]]},
            "longitude first",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, "0"], [1, 1], [0, 0]]]}, "are numbers"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, True], [1, 1], [0, 0]]]}, "are numbers"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]},
            "not a valid shape: Self-intersection",
        ),
        (
            {"type": "Polygon", "coordinates": [square(0, 0, 1, 1)], "properties": {}},
            "only `type` and `coordinates`",
        ),
    ],
)
def test_a_boundary_is_refused_with_what_is_wrong_with_it(boundary, problem):
    found = boundaries.problem(boundary)
    assert found is None if problem is None else problem in found


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("RC-2026-7K3P9QA", "RC-2026-7K3P9QA"),
        ("rc-2026-7k3p9qa", "RC-2026-7K3P9QA"),  # typed in lower case
        ("RC 2026 7K3 P9Q A", "RC-2026-7K3P9QA"),  # read over the phone, with spaces
        ("RC20267K3P9QA", "RC-2026-7K3P9QA"),  # without dashes
        ("RC-2026-OOOOOOO", "RC-2026-0000000"),  # O is read as 0
        ("RC-2026-ABCDEFE", "RC-2026-ABCDEFE"),
        ("RC-2026-7K3P9QB", None),  # a wrong check symbol
        ("RC-2026-7K3P9AQ", None),  # two symbols swapped
        ("RC-2026-7K3P9Q", None),  # one symbol short
        ("RC-26-7K3P9QA", None),  # a two-digit year
        ("", None),
        ("RC-2026-" + "A" * 40, None),
        (None, None),
        ({"$ne": 1}, None),  # not a string at all
    ],
)
def test_a_number_is_read_as_written_or_refused(text, number):
    assert rules.normalize_number(text) == number


@pytest.mark.parametrize(
    ("payload", "check"),
    [("7K3P9Q", "A"), ("000000", "0"), ("ZZZZZZ", "6"), ("ABCDEF", "E")],
)
def test_the_check_symbol_is_luhn_mod_32(payload, check):
    assert rules.check_symbol(payload) == check
    assert rules.number(2026, payload) == f"RC-2026-{payload}{check}"


@pytest.mark.parametrize(
    ("first", "again", "same"),
    [
        (("req-1", {"subject": "Nid"}, ["b1"]), ("req-1", {"subject": "Nid"}, ["b1"]), True),
        (("req-1", {"subject": "Nid"}, ["b1"]), ("req-2", {"subject": "Nid"}, ["b1"]), False),
        (("req-1", {"subject": "Nid"}, ["b1"]), ("req-1", {"subject": "Trou"}, ["b1"]), False),
        (("req-1", {"subject": "Nid"}, ["b1"]), ("req-1", {"subject": "Nid"}, ["b2"]), False),
        (("req-1", {"a": 1, "b": 2}, []), ("req-1", {"b": 2, "a": 1}, []), True),  # keys in any order
    ],
)
def test_a_repeat_is_the_same_request_id_with_the_same_content(first, again, same):
    assert (rules.repeat_digest("key", *first) == rules.repeat_digest("key", *again)) is same


def test_a_repeat_needs_a_request_id_and_the_platforms_key():
    assert rules.repeat_digest("key", None, {}, []) is None
    assert rules.repeat_digest("key", "", {}, []) is None
    assert rules.repeat_digest("key", "r", {}, []) != rules.repeat_digest("other", "r", {}, [])


@pytest.mark.parametrize(
    ("earlier", "same"),
    [({"request": "ab"}, True), ({"request": "cd"}, False), ({}, False), (None, False)],
)
def test_a_taken_number_answers_the_first_receipt_only_for_the_same_request(earlier, same):
    assert rules.same_request(earlier, "ab") is same


@pytest.mark.parametrize(("language", "kept"), [("ar", "ar"), ("en", "en"), (None, "fr"), ("", "fr")])
def test_anonymising_erases_the_contact_address_point_and_consent_to_publish(language, kept):
    erased = rules.erased(language)
    assert erased["citizen"] == {"name": None, "email": None, "phone": None, "language": kept}
    assert (erased["address"], erased["location"], erased["nearest_district"]) == (None, None, None)
    assert erased["publish"] is False and erased["anonymised"] is True
    assert "documents" not in erased  # unless given, the documents are left as they are


def test_anonymising_erases_the_points_of_the_photos_and_keeps_their_copies():
    photo = {"id": "p", "blob": "b", "copies": {"thumb": "t", "display": "d"}, "point": {"lat": 1, "lon": 2}}
    pdf = {"id": "f", "blob": "c"}
    assert rules.erased("fr", [photo, pdf])["documents"] == [
        {"id": "p", "blob": "b", "copies": {"thumb": "t", "display": "d"}},
        pdf,
    ]


@pytest.mark.parametrize(
    ("asked", "locale"),
    [("ar", Language.AR), ("en_GB", Language.EN), ("EN", Language.EN), ("fr_MA", Language.FR)]
    + [("de", Language.FR), ("", Language.FR), (None, Language.FR), ("a", Language.FR)],
)
def test_an_open311_request_is_answered_in_its_locale_or_french(asked, locale):
    assert rules.open311_locale(asked) == locale


@pytest.mark.parametrize(
    ("attributes", "kind", "publish"),
    [
        ({}, Kind.COMPLAINT, False),  # neither given: a complaint, not published
        ({"kind": "claim", "publish": "true"}, Kind.CLAIM, True),
        ({"kind": "suggestion", "publish": "TRUE"}, Kind.SUGGESTION, True),
        ({"publish": "False"}, Kind.COMPLAINT, False),
        ({"kind": "Claim"}, None, False),  # kinds are lowercase
        ({"kind": "praise", "publish": "yes"}, None, None),  # neither a kind nor a boolean
    ],
)
def test_open311_attributes_name_a_kind_and_the_consent_to_publish(attributes, kind, publish):
    assert rules.open311_kind(attributes) == kind
    assert rules.open311_publish(attributes) is publish


@pytest.mark.parametrize(
    ("description", "subject"),
    [
        (None, "Voirie"),
        ("", "Voirie"),  # blank parameters are dropped before: never only spaces
        ("Nid de poule\nprofond, devant le 12", "Nid de poule"),
        ("  Lampadaire éteint  ", "Lampadaire éteint"),
        ("mot " * 40, ("mot " * 30).rstrip() + "…"),  # shortened at a word, marked
        ("x" * 130, "x" * 120 + "…"),  # no word to cut at: shortened where it must
        ("Fin de phrase, " + "a" * 110, "Fin de phrase…"),  # no dangling comma
    ],
)
def test_an_open311_subject_is_the_descriptions_first_line_or_the_services_name(description, subject):
    assert rules.open311_subject(description, "Voirie") == subject


@pytest.mark.parametrize(
    ("form", "fields"),
    [
        (
            {"service_code": "roads", "lat": 33.5, "long": -7.6, "description": "Trou"},
            {"address": None, "location": {"lat": 33.5, "lon": -7.6}, "description": "Trou"},
        ),
        (
            {"service_code": "roads", "address_string": "12 rue X", "address_id": "A-1"},
            {"address": "12 rue X", "location": None, "description": "Voirie"},
        ),
        (
            {"service_code": "roads", "address_id": "A-1"},
            {"address": "address_id A-1", "location": None, "subject": "Voirie"},
        ),
        (
            {"service_code": "roads", "lat": 1.0, "long": 2.0, "first_name": "Amina", "last_name": "B"},
            {"citizen": {"name": "Amina B", "email": None, "phone": None, "language": Language.AR}},
        ),
        (
            {"service_code": "roads", "lat": 1.0, "long": 2.0, "last_name": "B", "email": "b@x.ma"},
            {"citizen": {"name": "B", "email": "b@x.ma", "phone": None, "language": Language.AR}},
        ),
    ],
)
def test_an_open311_request_becomes_a_complaint_as_a_citizens_form_gives_it(form, fields):
    data = rules.open311_complaint(
        form, kind=Kind.CLAIM, district="anfa", service_name="Voirie", locale=Language.AR, publish=True
    )
    assert {key: data[key] for key in fields} == fields
    assert (data["kind"], data["category"], data["district"]) == (Kind.CLAIM, "roads", "anfa")
    assert data["consent"] is True and data["publish"] is True


@pytest.mark.parametrize(
    ("form", "kept"),
    [
        ({"service_code": "roads"}, {}),
        (
            {"device_id": "d", "account_id": "a", "media_url": "https://x/y.jpg"},
            {"device_id": "d", "account_id": "a", "media_url": "https://x/y.jpg"},
        ),
        (
            {"address_id": "A-1", "email": "e@x.ma", "first_name": "Amina"},
            {"address_id": "A-1"},
        ),  # no contact
    ],
)
def test_an_open311_channel_keeps_the_key_the_token_and_what_the_client_says_of_itself(form, kept):
    channel = rules.open311_channel(form, key_id="k1", token="t1")
    assert channel == {"via": Channel.OPEN311, "api_key": "k1", "token": "t1", **kept}
