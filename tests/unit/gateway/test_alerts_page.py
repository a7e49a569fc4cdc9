"""The alerts' pages: a form prefilled from its address, and emailed links whose button alone acts."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from common.translations import texts
from gateway.web.upstream import Answer
from tests.unit.gateway.answers import CATALOG

MESSAGES = {lang: texts(lang, "pages", "common") for lang in ("fr", "ar", "en")}
CONFIRMED = {
    "subscribed": True,
    "frequency": "each",
    "district": "anfa",
    "lat": None,
    "lon": None,
    "radius_m": None,
}


@pytest.fixture
def asked(monkeypatch):
    """Fake tracking and intake: every call the pages make is kept here, and answered by its token."""
    from gateway.web import alerts, shared

    calls: list[tuple[str, str, dict | None]] = []

    def call(service, method, path, **kwargs):
        if path == "/api/v1/catalog":
            return Answer(200, CATALOG)
        body = kwargs.get("json")
        calls.append((method, path, body))
        if path == "/api/v1/alerts":
            if body.get("radius_m") == 50:
                error = {"code": "validation_error", "message": "…", "fields": {"radius_m": ["too small"]}}
                return Answer(400, {"error": error})
            return Answer(202, {"confirmation": "sent"})
        token = body["token"]
        if token == "full":
            return Answer(409, {"error": {"code": "conflict", "message": "at its cap"}})
        if token != "genuine":
            return Answer(401, {"error": {"code": "unauthorized", "message": "not valid"}})
        return Answer(200, CONFIRMED if path.endswith("confirm") else {"subscribed": False})

    monkeypatch.setattr(alerts, "call", call)
    monkeypatch.setattr(shared, "call", call)
    return calls


@pytest.fixture
def pages(asked):
    from gateway.app import create_app

    return create_app({"TESTING": True}).test_client()


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def radio(html: str, name: str, value: str) -> str:
    [found] = re.findall(rf'<input type="radio" name="{name}" value="{value}"[^>]*>', html)
    return found


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_form_is_prefilled_from_the_reports_page_link_in_the_pages_language(pages, lang):
    answer = pages.get(f"/alerts?lat=33.5951&lon=-7.6328&radius=800&lang={lang}")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
    assert "checked" in radio(html, "area", "point") and "checked" not in radio(html, "area", "district")
    assert 'value="33.5951"' in html and 'value="-7.6328"' in html and 'value="800"' in html
    assert "checked" in radio(html, "frequency", "each")
    assert re.search(rf'<option value="{lang}" selected>', html)  # the emails' language: the page's
    assert str(escape(MESSAGES[lang]["alerts.published_only"])) in html
    # nothing needs script: the map that fills the point is drawn by the gateway's own files, if at all
    assert re.findall(r"<script[^>]*>", html) in (
        [],
        [
            '<script src="/static/leaflet/leaflet.js" defer>',
            '<script src="/static/map.js" defer>',
        ],
    )


def test_a_district_in_the_link_is_chosen_in_the_catalogues_list(pages):
    html = pages.get("/alerts?district=anfa").get_data(as_text=True)
    assert "checked" in radio(html, "area", "district")
    assert '<option value="anfa" selected>Anfa</option>' in html


def test_a_point_is_sent_as_numbers_and_the_answer_is_the_same_for_any_address(pages, asked):
    form = {
        "csrf_token": csrf(pages.get("/alerts").get_data(as_text=True)),
        "area": "point",
        "lat": "33,5951",  # a decimal comma, as phones in French type it
        "lon": "-7.6328",
        "radius": "800",
        "district": "anfa",  # chosen, then the point preferred: the radio decides
        "frequency": "weekly",
        "email": "salma@example.ma",
        "language": "ar",
    }
    answer = pages.post("/alerts", data=form)
    assert answer.status_code == 303 and answer.headers["Location"] == "/alerts"
    sent = {"email": "salma@example.ma", "language": "ar", "frequency": "weekly"}
    assert asked == [("POST", "/api/v1/alerts", {**sent, "lat": 33.5951, "lon": -7.6328, "radius_m": 800})]
    assert str(escape(MESSAGES["fr"]["alerts.sent"])) in pages.get("/alerts").get_data(as_text=True)

    asked.clear()
    pages.post("/alerts", data={**form, "area": "district"})
    assert asked == [("POST", "/api/v1/alerts", {**sent, "district": "anfa"})]


def test_a_refused_radius_is_shown_on_its_field_and_keeps_what_was_typed(pages):
    form = {"csrf_token": csrf(pages.get("/alerts").get_data(as_text=True))}
    form.update(area="point", lat="33.59", lon="-7.63", radius="50", frequency="each", email="a@example.ma")
    answer = pages.post("/alerts", data=form)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert str(escape(MESSAGES["fr"]["field.alerts.radius_m.error"])) in html
    assert 'value="50"' in html and 'value="a@example.ma"' in html


def test_a_form_without_its_csrf_token_asks_nothing(pages, asked):
    answer = pages.post("/alerts", data={"area": "district", "district": "anfa", "email": "a@example.ma"})
    assert answer.status_code == 400 and asked == []


@pytest.mark.parametrize(
    ("path", "done"),
    [("/alerts/confirm", "alerts.confirmed"), ("/alerts/unsubscribe", "alerts.unsubscribed")],
)
def test_an_emailed_link_shows_a_button_and_only_the_button_acts(pages, asked, path, done):
    html = pages.get(f"{path}?token=genuine&lang=ar").get_data(as_text=True)
    assert asked == []  # a mail scanner opening the link changes nothing
    assert 'dir="rtl"' in html and 'name="token" value="genuine"' in html
    answer = pages.post(path, data={"csrf_token": csrf(html), "token": "genuine"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/alerts"
    assert asked == [("POST", f"/api/v1{path}", {"token": "genuine"})]
    assert str(escape(MESSAGES["ar"][done])) in pages.get("/alerts").get_data(as_text=True)


@pytest.mark.parametrize(
    ("token", "message"), [("forged", "alerts.confirm.invalid"), ("full", "alerts.too_many")]
)
def test_a_link_that_does_not_confirm_says_why(pages, token, message):
    html = pages.get(f"/alerts/confirm?token={token}").get_data(as_text=True)
    answer = pages.post("/alerts/confirm", data={"csrf_token": csrf(html), "token": token})
    assert answer.status_code in (400, 409)
    assert str(escape(MESSAGES["fr"][message])) in answer.get_data(as_text=True)
