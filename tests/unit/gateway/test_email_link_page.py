"""The page an emailed link opens, when tracking cannot answer: the form, and why, never the token."""

from __future__ import annotations

import pytest

from common import config
from common.translations import texts

# The pages' texts as they are written, by language and key.
MESSAGES = {lang: texts(lang, "pages", "common") for lang in ("fr", "ar", "en")}


@pytest.fixture
def pages(monkeypatch):
    monkeypatch.setenv("TRACKING_URL", "http://127.0.0.1:9")  # nothing listens: every call fails
    config.reload()
    from gateway.app import create_app

    yield create_app({"TESTING": True}).test_client()
    monkeypatch.undo()
    config.reload()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_link_tracking_cannot_check_leads_to_the_form_saying_the_service_is_down(pages, lang):
    answer = pages.get("/complaints/RC-2026-7K3P9QX/open?t=abc.def.ghi", headers={"Accept-Language": lang})
    assert answer.status_code == 303 and answer.headers["Location"] == "/track?number=RC-2026-7K3P9QX"
    assert "abc.def.ghi" not in answer.get_data(as_text=True)
    form = pages.get(answer.headers["Location"], headers={"Accept-Language": lang}).get_data(as_text=True)
    assert MESSAGES[lang]["error.unavailable"] in form and MESSAGES[lang]["link.invalid"] not in form
    assert 'value="RC-2026-7K3P9QX"' in form
