"""The pages' parts that need no server: texts in three languages, language choice, charts, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.datastructures import LanguageAccept

from common import config, translations
from common.translations import texts
from gateway.web import charts, i18n
from gateway.web.upstream import Answer

# The pages' texts as they are written, by language and key.
MESSAGES = {lang: texts(lang, "pages", "common") for lang in ("fr", "ar", "en")}

WEB = Path(__file__).resolve().parents[3] / "gateway" / "web"
DYNAMIC = {
    "status.": ["received", "acknowledged", "in_progress", "resolved", "rejected", "reopened", "closed"],
    "kind.": ["complaint", "claim", "suggestion"],
    "outcome.": ["resolved", "partially_resolved", "not_resolved"],
    "satisfaction.": ["1", "2", "3", "4", "5"],
    "role.": ["agent", "supervisor", "admin"],
    "by.": ["citizen", "staff", "system"],
    "staff.catalog.": ["districts", "categories"],
    "staff.catalog.add_": ["districts", "categories"],
}


def used_keys() -> set[str]:
    keys = set()
    for path in [*WEB.rglob("*.html"), *WEB.glob("*.py")]:
        text = path.read_text()
        keys |= set(re.findall(r"""_n?\(\s*['"]([a-z_.0-9]+)['"]""", text))
        keys |= set(re.findall(r'success="([a-z_.]+)"', text))
        keys |= set(re.findall(r'"(staff\.[a-z_.]+\.done)"', text))
    expanded = set()
    for key in keys:
        if key in DYNAMIC:
            expanded |= {key + suffix for suffix in DYNAMIC[key]}
        else:
            expanded.add(key)
    return expanded


def test_every_text_the_pages_use_exists_in_french_arabic_and_english():
    keys = used_keys()
    assert len(keys) > 200
    for lang in ("fr", "ar", "en"):
        catalogs = [translations.catalog(domain, lang) for domain in i18n.DOMAINS]
        known = {m.id[0] if isinstance(m.id, tuple) else m.id for catalog in catalogs for m in catalog}
        missing = sorted(keys - known)
        assert not missing, f"{lang}: {missing}"


def test_the_language_is_the_one_asked_then_remembered_then_the_browsers_then_french():
    browser = LanguageAccept([("en-GB", 1), ("ar", 0.5)])
    assert i18n.choose("ar", "en", browser) == "ar"
    assert i18n.choose(None, "en", LanguageAccept([("ar", 1)])) == "en"
    assert i18n.choose("de", None, browser) == "en"
    assert i18n.choose(None, None, LanguageAccept([("de", 1)])) == "fr"
    assert i18n.direction("ar") == "rtl" and i18n.direction("fr") == "ltr"


def test_bars_are_proportional_and_never_longer_than_the_row():
    chart = charts.bars([("a", 10), ("b", 5), ("c", 0)])
    assert [b["share"] for b in chart["bars"]] == [100, 50, 0]
    assert charts.bars([("x", 50)], maximum=100)["bars"][0]["share"] == 50
    assert charts.bars([("x", 120)], maximum=100)["bars"][0]["share"] == 100
    assert charts.bars([("x", 0)])["bars"][0]["share"] == 0
    assert charts.bars([])["bars"] == []


def test_api_field_errors_are_flattened_to_the_forms_names():
    fields = {"citizen": {"email": ["bad"]}, "kind": ["?"]}
    answer = Answer(400, {"error": {"code": "validation_error", "message": "x", "fields": fields}})
    assert answer.field_errors() == {"citizen.email": ["bad"], "kind": ["?"]}
    assert Answer(503, None).field_errors() == {}


@pytest.fixture
def pages(monkeypatch):
    """The gateway's pages with every service down (nothing to fake: each call fails to connect)."""
    monkeypatch.setenv("INTAKE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("TRACKING_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("FEEDBACK_URL", "http://127.0.0.1:9")
    config.reload()
    from gateway.app import create_app

    return create_app({"TESTING": True}).test_client()


@pytest.mark.parametrize("path", ["/", "/track?number=RC-2026-7K3P9QX", "/figures", "/staff/login"])
@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_pages_render_in_each_language_without_script_even_when_services_are_down(pages, path, lang):
    answer = pages.get(path, headers={"Accept-Language": lang})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
    assert "&#34;" not in html  # attributes written as attributes
    # Script only from the gateway's own files (the maps'), none written in the page
    for tag in re.findall(r"<script[^>]*>", html):
        assert re.fullmatch(r'<script src="/static/[\w/.-]+\.js" defer>', tag), tag
    assert MESSAGES[lang]["site.name"] in html
    if path == "/":
        assert MESSAGES[lang]["error.unavailable"] in html  # the catalogue could not be read
    if path.startswith("/track"):
        assert 'value="RC-2026-7K3P9QX"' in html and 'dir="ltr"' in html


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(pages):
    answer = pages.post("/track", data={"number": "RC-2026-7K3P9QX", "email": "a@example.ma"})
    assert answer.status_code == 400
    assert MESSAGES["fr"]["error.stale_form"] in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/health/live", "/api/v1/catalog", "/api/docs", "/", "/nothing", "/open311/v2/services.xml"]
)
def test_every_answer_carries_the_security_headers(pages, path):
    headers = pages.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    policy = headers["Content-Security-Policy"]
    assert "unsafe" not in policy and headers["Referrer-Policy"]
    if path in ("/", "/nothing"):  # pages: scripts from the gateway, images from it and the tiles' host
        assert "script-src 'self';" in policy
        assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy
    else:
        assert "script-src" not in policy


@pytest.mark.parametrize(
    ("lang", "hours", "days", "share", "mean"),
    [
        ("fr", "1,5 h", "2,5 j", "46\xa0%", "4,3"),
        ("en", "1.5 h", "2.5 d", "46%", "4.3"),
        ("ar", "1,5 ساعة", "2,5 يوم", "46%", "4,3"),
    ],
)
def test_numbers_are_written_as_the_pages_language_writes_them(pages, lang, hours, days, share, mean):
    from flask import g

    from gateway.web import filters

    with pages.application.test_request_context("/"):
        g.lang = lang
        assert (filters.hours(1.5), filters.hours(60)) == (hours, days)
        assert filters.hours(0.0) == hours.replace("1,5", "0").replace("1.5", "0")  # not 0.0
        assert filters.percent(0.456) == share and filters.number(4.26) == mean
        assert filters.hours(None) == filters.percent(None) == filters.number(None) == "—"


def test_a_mistyped_page_is_a_page_and_the_apis_error_stays_json(pages):
    page = pages.get("/nothing", headers={"Accept-Language": "ar"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert MESSAGES["ar"]["error.not_found"] in page.get_data(as_text=True)
    api = pages.get("/api/v1/nothing")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"
    opened = pages.get("/complaints/RC-2026-7K3P9QX/remarks")  # a form's address, opened
    assert opened.status_code == 405 and opened.mimetype == "text/html"
