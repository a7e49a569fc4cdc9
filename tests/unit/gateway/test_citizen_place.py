"""The filing form's point: typed with a comma or a dot, pasted as a pair, refused by name when wrong."""

from __future__ import annotations

import io
import json
import re

import pytest
from marshmallow import ValidationError

from common.translations import texts
from gateway.web.upstream import Answer
from tests.support import gps_jpeg
from tests.unit.gateway.answers import CATALOG, RECEIPT

# The pages' texts as they are written, by language and key.
MESSAGES = {lang: texts(lang, "pages", "common") for lang in ("fr", "ar", "en")}


@pytest.fixture
def sent(monkeypatch):
    """Intake as far as its schema: a complaint it refuses answers 400 with its fields, else 201."""
    from gateway.web import filing, shared
    from services.intake.api import _load

    filed: list[dict] = []

    def call(service, method, path, **kwargs):
        if path == "/api/v1/complaints/nearby":
            return Answer(200, {"items": []})
        if (method, path) != ("POST", "/api/v1/complaints"):
            return Answer(200, CATALOG)
        body = json.loads(kwargs["data"]["complaint"])
        try:
            _load(body)
        except ValidationError as exc:
            return Answer(
                400, {"error": {"code": "validation_error", "message": "x", "fields": exc.messages}}
            )
        filed.append(body)
        return Answer(201, RECEIPT)

    monkeypatch.setattr(filing, "call", call)
    monkeypatch.setattr(shared, "call", call)  # the catalogue
    return filed


@pytest.fixture
def pages(sent):
    from gateway.app import create_app

    return create_app({"TESTING": True}).test_client()


def form(pages, lang="fr", **extra) -> dict:
    html = pages.get(f"/?lang={lang}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return {
        "csrf_token": token,
        "kind": "complaint",
        "category": "roads",
        "subject": "Trou",
        "description": "Un trou devant l'école.",
        "email": "amina@example.ma",
        "consent": "yes",
        **extra,
    }


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        ("33.5731", "-7.5898"),
        ("33,5731", "-7,5898"),
        (" 33.5731 ", "  -7.5898"),
        ("33.5731, -7.5898", ""),
        ("33.5731,-7.5898", ""),
        ("33,5731; -7,5898", ""),
        ("33,5731 -7,5898", ""),
        ("+33.5731", "-7.5898"),
    ],
)
def test_a_point_typed_with_a_comma_or_a_dot_or_pasted_whole_in_the_first_box_is_sent(pages, sent, lat, lon):
    answer = pages.post("/", data=form(pages, lat=lat, lon=lon))
    assert answer.status_code == 303, answer.get_data(as_text=True)
    [complaint] = sent
    assert complaint["location"] == {"lat": 33.5731, "lon": -7.5898}
    assert complaint["district"] is None  # left to the point


def test_a_district_without_a_point_is_filed_as_before(pages, sent):
    assert pages.post("/", data=form(pages, district="anfa")).status_code == 303
    assert sent[0]["location"] is None and sent[0]["district"] == "anfa"


@pytest.mark.parametrize(
    ("lat", "lon", "refused"),
    [
        ("95", "-7.5", "lat"),
        ("-90.0001", "-7.5", "lat"),
        ("33.5", "180.5", "lon"),
        ("NaN", "-7.5", "lat"),
        ("nan", "nan", "lat"),
        ("inf", "-7.5", "lat"),
        ("33.5", "-Infinity", "lon"),
        ("1e2", "-7.5", "lat"),
        ("33.5", "", "lon"),
        ("", "-7.5", "lat"),
        ("3" * 5000, "-7.5", "lat"),
        ("33.5.5", "-7.5", "lat"),
        ("trente-trois", "-7.5", "lat"),
        ("33.5, -7.5, 12", "", "lat"),
    ],
)
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_wrong_point_is_a_clear_field_error_and_nothing_is_filed(pages, sent, lat, lon, refused, lang):
    answer = pages.post(f"/?lang={lang}", data=form(pages, lang, district="anfa", lat=lat, lon=lon))
    assert answer.status_code == 400 and not sent
    html = answer.get_data(as_text=True)
    assert f'id="{refused}-error"' in html
    assert MESSAGES[lang][f"field.{refused}.error"].replace("'", "&#39;") in html
    assert re.search(rf'<input id="f-{refused}"[^>]*aria-invalid="true"', html)
    assert "3" * 200 not in html  # a huge string is not echoed whole


def test_the_boxes_ask_phones_for_a_decimal_keyboard_and_say_how_to_find_the_point(pages):
    for lang in ("fr", "ar", "en"):
        html = pages.get(f"/?lang={lang}").get_data(as_text=True)
        for name in ("lat", "lon"):
            box = re.search(rf'<input id="f-{name}"[^>]*>', html).group(0)
            assert 'inputmode="decimal"' in box and 'dir="ltr"' in box and "required" not in box
        assert MESSAGES[lang]["place.hint"].replace("'", "&#39;") in html
        district = re.search(r'<select id="f-district"[^>]*>', html).group(0)
        assert "required" not in district and "district-hint" in district


NEARBY = {
    "number": "RC-2026-4M8TQ2D",
    "category": "roads",
    "district": "anfa",
    "subject": None,
    "status": "in_progress",
    "submitted_at": "2026-03-01T08:00:00.000Z",
    "distance_m": 42,
    "same_address": False,
}


@pytest.fixture
def reported(monkeypatch, sent):
    """Tracking knows one open complaint there: the listing's queries are kept here."""
    from gateway.web import filing

    asked: list[dict] = []
    passed_on = filing.call

    def call(service, method, path, **kwargs):
        if path == "/api/v1/complaints/nearby":
            asked.append(kwargs["params"])
            return Answer(200, {"items": [NEARBY]})
        return passed_on(service, method, path, **kwargs)

    monkeypatch.setattr(filing, "call", call)
    return asked


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_complaints_already_reported_there_are_shown_before_anything_is_filed(pages, sent, reported, lang):
    answer = pages.post(f"/?lang={lang}", data=form(pages, lang, lat="33.5731", lon="-7.5898"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and not sent  # nothing filed yet
    assert reported == [{"category": "roads", "lat": 33.5731, "lon": -7.5898}]
    assert MESSAGES[lang]["nearby.title"] in html and "RC-2026-4M8TQ2D" in html
    assert MESSAGES[lang]["nearby.distance"].format(metres=42) in html
    assert 'action="/complaints/RC-2026-4M8TQ2D/follow"' in html  # follow it instead
    assert '<input type="hidden" name="checked" value="yes">' in html
    again = pages.post(f"/?lang={lang}", data=form(pages, lang, lat="33.5731", lon="-7.5898", checked="yes"))
    assert again.status_code == 303 and len(sent) == 1  # sent again: filed, without asking twice
    assert len(reported) == 1


def test_an_address_is_checked_in_its_district_and_no_place_asks_nothing(pages, sent, reported):
    pages.post("/", data=form(pages, district="anfa", address="12 Bd d'Anfa"))
    assert reported == [{"category": "roads", "address": "12 Bd d'Anfa", "district": "anfa"}]
    assert pages.post("/", data=form(pages, district="anfa")).status_code == 303  # no place: no check
    assert pages.post("/", data=form(pages, address="12 Bd d'Anfa", lat="x", lon="y")).status_code == 400
    assert len(reported) == 1 and len(sent) == 1


def test_a_form_refused_for_another_reason_shows_them_with_its_errors(pages, sent, reported):
    data = {k: v for k, v in form(pages, lat="33.5731", lon="-7.5898").items() if k != "consent"}
    answer = pages.post("/", data=data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and not sent
    assert 'id="consent-error"' in html  # what intake refused, next to its box
    assert MESSAGES["fr"]["nearby.title"] in html and "RC-2026-4M8TQ2D" in html
    assert '<input type="hidden" name="checked" value="yes">' in html  # seen: the next sending files


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_an_unpublished_complaints_distance_is_shown_as_approximate(pages, sent, monkeypatch, lang):
    from gateway.web import filing

    passed_on = filing.call
    unpublished = {**NEARBY, "distance_m": 100, "approximate": True}
    monkeypatch.setattr(
        filing,
        "call",
        lambda service, method, path, **kw: (
            Answer(200, {"items": [unpublished]})
            if path == "/api/v1/complaints/nearby"
            else passed_on(service, method, path, **kw)
        ),
    )
    answer = pages.post(f"/?lang={lang}", data=form(pages, lang, lat="33.5731", lon="-7.5898"))
    assert answer.status_code == 200 and not sent
    assert MESSAGES[lang]["nearby.distance_about"].format(metres=100) in answer.get_data(as_text=True)


def test_a_listing_refused_by_its_rate_limit_files_the_complaint_without_it(pages, sent, monkeypatch):
    from gateway.web import filing

    passed_on = filing.call
    refused = {"error": {"code": "too_many_requests", "message": "Too many requests."}}
    monkeypatch.setattr(
        filing,
        "call",
        lambda service, method, path, **kw: (
            Answer(429, refused)
            if path == "/api/v1/complaints/nearby"
            else passed_on(service, method, path, **kw)
        ),
    )
    answer = pages.post("/", data=form(pages, lat="33.5731", lon="-7.5898"))
    assert answer.status_code == 303 and len(sent) == 1  # filed, no error page


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_point_outside_the_city_is_said_beside_its_box(pages, monkeypatch, lang):
    """Intake refuses a point that no district holds (a swapped pair): the form says so at the point."""
    from gateway.web import filing

    refused = {"error": {"code": "bad_request", "message": "x", "fields": {"location": ["outside the city"]}}}

    def call(service, method, path, **kwargs):
        if path == "/api/v1/complaints/nearby":
            return Answer(200, {"items": []})
        return Answer(400, refused) if method == "POST" else Answer(200, CATALOG)

    monkeypatch.setattr(filing, "call", call)
    answer = pages.post(f"/?lang={lang}", data=form(pages, lang, district="anfa", lat="-7.59", lon="33.57"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and 'id="lat-error"' in html
    assert MESSAGES[lang]["field.location.error"].replace("'", "&#39;") in html


@pytest.mark.parametrize(
    ("photo", "typed", "asked"),
    [
        (gps_jpeg(33.5951, -7.6185), {}, {"lat": 33.5951, "lon": -7.6185}),  # the photo's point
        (gps_jpeg(33.5951, -7.6185), {"lat": "33.5731", "lon": "-7.5898"}, {"lat": 33.5731, "lon": -7.5898}),
        (gps_jpeg(), {}, None),  # a photo without a position, and no place typed: nothing to check
    ],
)
def test_the_check_runs_on_the_point_the_complaint_ends_with_the_photos_when_none_is_typed(
    pages, sent, reported, monkeypatch, photo, typed, asked
):
    from gateway.web import filing

    forwarded: list[bytes] = []
    checking = filing.call

    def call(service, method, path, **kwargs):
        for _field, (_name, stream, _type) in kwargs.get("files") or ():
            forwarded.append(stream.read())
        return checking(service, method, path, **kwargs)

    monkeypatch.setattr(filing, "call", call)
    data = {**form(pages, **typed), "documents": (io.BytesIO(photo), "trou.jpg", "image/jpeg")}
    answer = pages.post("/", data=data, content_type="multipart/form-data")
    if asked is None:
        assert answer.status_code == 303 and reported == []  # filed, without a listing
        assert forwarded == [photo]  # the photo sent on whole, read or not
    else:
        assert answer.status_code == 200 and not sent  # shown what is already reported there first
        assert reported == [{"category": "roads", **asked}]
