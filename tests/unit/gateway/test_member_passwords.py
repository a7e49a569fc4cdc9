"""The members page says why a password is refused: the staff API's advice, beside the page's own words."""

from __future__ import annotations

import pytest
from markupsafe import escape

from common import config, translations
from gateway.web import shared, staff
from gateway.web.upstream import Answer

ADVICE = (
    "An administrator's password must be very hard to guess. It contains a word tried first here: the"
    " city, the country, a district, the platform's words, a year, or the member's own names."
)
REFUSED = Answer(
    400,
    {
        "error": {
            "code": "bad_request",
            "message": "Choose a password that is harder to guess.",
            "fields": {"password": [ADVICE]},
        }
    },
)
MEMBERS = Answer(200, {"items": []})
CATALOGUE = Answer(200, {"kinds": [], "districts": [], "categories": []})


@pytest.fixture
def admin_pages(monkeypatch):
    """The pages, signed in as an administrator; the staff API refuses every password."""
    sent = []

    def call(service, method, path, **kwargs):
        sent.append((method, path, kwargs.get("json")))
        if method in ("POST", "PATCH") and "/staff/members" in path:
            return REFUSED
        return MEMBERS if path.startswith("/api/v1/staff/members") else CATALOGUE

    monkeypatch.setattr(staff, "call", call)
    monkeypatch.setattr(shared, "call", call)  # the catalogue
    config.reload()
    from gateway.app import create_app

    client = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}).test_client()
    with client.session_transaction() as session:
        session["staff"] = {"token": "t", "role": "admin", "districts": ["*"], "username": "root"}
    client.sent = sent
    return client


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_a_new_members_refused_password_is_explained_on_the_page(admin_pages, lang):
    form = {"username": "karim", "password": "Admin@2026", "role": "admin", "lang": lang}
    answer = admin_pages.post(f"/staff/members?lang={lang}", data=form)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert str(escape(translations.translations(lang, "pages").gettext("field.password.error"))) in html
    assert str(escape(ADVICE)) in html
    assert "Admin@2026" not in html  # a password is never written back into the page


def test_a_changed_members_refused_password_is_explained_on_the_next_page(admin_pages):
    changed = admin_pages.post("/staff/members/nadia", data={"role": "admin", "password": "Maroc2026!"})
    assert changed.status_code == 303
    assert admin_pages.sent[-1][2]["password"] == "Maroc2026!"
    html = admin_pages.get("/staff/members").get_data(as_text=True)
    assert "nadia" in html and str(escape(ADVICE)) in html
