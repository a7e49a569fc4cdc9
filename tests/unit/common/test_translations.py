"""The catalogues: every message in every language, with its plural forms and placeholders; plurals read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, g

from common import translations
from common.vocabulary import Kind, Language, Status
from gateway.web import i18n
from services.notification import templates

LANGUAGES = [language.value for language in Language]
EMAILS = Path(templates.__file__).parent / "templates"
# `{br}` is where an email's plain text breaks its line: a language places it where its sentence wraps.
LAYOUT = {"br"}


def messages(domain: str, language: str) -> dict:
    """Return a domain's messages in a language: msgid -> its text, or its forms for a plural."""
    found = {}
    for message in translations.catalog(domain, language):
        if not message.id:
            continue  # the header
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        found[key] = message.string
    return found


def placeholders(text: str | tuple) -> set[str]:
    forms = text if isinstance(text, tuple) else (text,)
    return {name for form in forms for name in re.findall(r"\{(\w+)\}", form)} - LAYOUT


@pytest.mark.parametrize("domain", translations.DOMAINS)
def test_every_message_of_every_domain_is_written_in_every_language(domain):
    french = messages(domain, "fr")
    assert french
    for language in LANGUAGES:
        texts = messages(domain, language)
        assert set(texts) == set(french), f"{domain}/{language}: {sorted(set(texts) ^ set(french))}"
        for key, text in texts.items():
            forms = text if isinstance(text, tuple) else (text,)
            assert all(form.strip() for form in forms), f"{domain}/{language}: {key} is empty"


@pytest.mark.parametrize("domain", translations.DOMAINS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plural_has_all_the_forms_of_its_language(domain, language):
    catalog = translations.catalog(domain, language)
    assert catalog.num_plurals == {"fr": 3, "ar": 6, "en": 2}[language]
    for message in catalog:
        if isinstance(message.id, tuple):
            assert len(message.string) == catalog.num_plurals, message.id[0]


@pytest.mark.parametrize("domain", translations.DOMAINS)
def test_every_language_takes_the_same_placeholders(domain):
    french = messages(domain, "fr")
    for language in LANGUAGES:
        for key, text in messages(domain, language).items():
            assert placeholders(text) == placeholders(french[key]), f"{language}: {key}"


def test_every_status_has_one_label_the_pages_and_the_emails_share():
    for language in LANGUAGES:
        labels = messages("common", language)
        assert {f"status.{status}" for status in Status} <= set(labels)
        for domain in ("pages", "emails", "services"):
            own = messages(domain, language)
            assert not [key for key in own if key.startswith("status.") and key in labels]


def test_every_kind_and_yes_and_no_have_one_label_the_pages_and_open311_share():
    for language in LANGUAGES:
        labels = messages("common", language)
        assert {f"kind.{kind}" for kind in Kind} | {"yes", "no"} <= set(labels)
        # The emails' own `kind_word.*` are lower-case words for the middle of a sentence.
        for domain in ("pages", "emails", "services"):
            assert not set(messages(domain, language)) & set(labels), f"{domain}/{language}"


def test_every_key_an_email_template_names_is_in_the_emails_catalogue():
    used = set()
    for path in EMAILS.iterdir():
        used |= set(re.findall(r"""\b_\(\s*"([a-z_.]+)"\s*[,)]""", path.read_text()))
    assert len(used) > 60
    missing = sorted(key for key in used if not translations.has(key, "emails"))
    assert not missing


def test_an_email_is_one_template_per_message_in_every_language():
    assert not [path for path in EMAILS.iterdir() if path.is_dir()]


@pytest.fixture
def page_in():
    app = Flask(__name__)

    def translate(language: str, key: str, count: int, /, **values) -> str:
        with app.app_context():
            g.lang = language
            return i18n.ngettext(key, count, **values)

    return translate


def test_one_rating_is_a_rating_and_two_are_ratings(page_in):
    mean = "figures.satisfaction_mean"
    assert page_in("en", mean, 1, count=1) == "mean satisfaction out of 5 (1 rating)"
    assert page_in("en", mean, 2, count=2) == "mean satisfaction out of 5 (2 ratings)"
    assert page_in("fr", "staff.queue.total", 1, total=1) == "1 réclamation"
    assert page_in("fr", "staff.queue.total", 2, total=2) == "2 réclamations"
    assert page_in("en", "staff.due.left", 1, n=1) == "1 day left"
    assert page_in("en", "staff.due.left", 5, n=5) == "5 days left"


def test_arabic_takes_its_form_for_one_two_a_few_many_and_a_hundred(page_in):
    said = {n: page_in("ar", "unit.days", n, n=n) for n in (1, 2, 3, 11, 100)}
    assert said == {1: "يوم واحد", 2: "يومان", 3: "3 أيام", 11: "11 يوما", 100: "100 يوم"}
    ratings = {n: page_in("ar", "figures.satisfaction_mean", n, count=n) for n in (1, 2, 3, 11, 100)}
    assert len(set(ratings.values())) == 5
    assert ratings[3] == "متوسط الرضا من 5 (3 تقييمات)"


def test_a_language_without_a_message_falls_back_to_french_then_to_the_key():
    assert translations.translations("xx", "pages").gettext("home.title") == "Déposer une réclamation"
    assert translations.translations("ar", "pages").gettext("no.such.key") == "no.such.key"
