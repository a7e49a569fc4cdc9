"""The citizen's form asks for the consent to publish apart, and sends the choice to the API."""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape

from common.translations import texts
from gateway.web.upstream import Answer
from tests.unit.gateway.answers import CATALOG, RECEIPT

# The pages' texts as they are written, by language and key.
MESSAGES = {lang: texts(lang, "pages", "common") for lang in ("fr", "ar", "en")}


@pytest.fixture
def sent(monkeypatch):
    """Fake intake: the catalogue, and a receipt for each complaint, whose bodies are kept here."""
    from gateway.web import filing, shared

    complaints: list[dict] = []

    def call(service, method, path, **kwargs):
        if (method, path) == ("POST", "/api/v1/complaints"):
            complaints.append(json.loads(kwargs["data"]["complaint"]))
            return Answer(201, RECEIPT)
        return Answer(200, CATALOG)

    monkeypatch.setattr(filing, "call", call)
    monkeypatch.setattr(shared, "call", call)  # the catalogue
    return complaints


@pytest.fixture
def pages(sent):
    from gateway.app import create_app

    return create_app({"TESTING": True}).test_client()


def checkbox(html: str, name: str) -> str:
    [found] = re.findall(rf'<input type="checkbox" name="{name}"[^>]*>', html)
    return found


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_the_consent_to_publish_is_a_box_of_its_own_unticked_saying_what_is_published(pages, lang):
    html = pages.get(f"/?lang={lang}").get_data(as_text=True)
    publish = checkbox(html, "publish")
    assert "checked" not in publish and 'value="yes"' in publish
    assert checkbox(html, "consent") != publish
    assert str(escape(MESSAGES[lang]["field.publish"])) in html
    assert str(escape(MESSAGES[lang]["field.publish.hint"])) in html
    assert 'aria-describedby="publish-hint"' in publish


def test_the_texts_say_what_is_published_and_what_never_is():
    french, english = MESSAGES["fr"], MESSAGES["en"]
    assert all(w in french["field.publish"] for w in ("description", "adresse", "lieu"))
    assert all(w in french["field.publish.hint"] for w in ("nom", "email", "téléphone", "jamais"))
    assert all(w in english["field.publish"] for w in ("description", "address", "location"))
    assert all(w in english["field.publish.hint"] for w in ("name", "email", "phone", "never"))
    assert all(w in MESSAGES["ar"]["field.publish.hint"] for w in ("اسمك", "هاتفك", "أبدا"))


def _form(pages, **extra) -> dict:
    html = pages.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return {
        "csrf_token": token,
        "kind": "complaint",
        "category": "roads",
        "district": "anfa",
        "subject": "Trou",
        "description": "Un trou devant l'école.",
        "email": "amina@example.ma",
        "consent": "yes",
        **extra,
    }


@pytest.mark.parametrize(("ticked", "expected"), [({"publish": "yes"}, True), ({}, False)])
def test_the_choice_reaches_the_api_call(pages, sent, ticked, expected):
    answer = pages.post("/", data=_form(pages, **ticked))
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/submitted")
    [complaint] = sent
    assert complaint["publish"] is expected and complaint["consent"] is True


def test_a_refused_form_keeps_the_box_as_it_was(pages, monkeypatch):
    from gateway.web import filing

    refusal = {"error": {"code": "validation_error", "message": "x", "fields": {"subject": ["bad"]}}}
    monkeypatch.setattr(
        filing, "call", lambda s, m, p, **k: Answer(400, refusal) if m == "POST" else Answer(200, CATALOG)
    )
    answer = pages.post("/", data=_form(pages, publish="yes"))
    assert answer.status_code == 400
    assert "checked" in checkbox(answer.get_data(as_text=True), "publish")
