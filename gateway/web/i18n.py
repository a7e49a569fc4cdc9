"""The pages' languages: French by default, Arabic (right to left) and English; chosen and kept."""

from __future__ import annotations

from flask import g

from common import translations
from common.vocabulary import DEFAULT_LANGUAGE, RIGHT_TO_LEFT, Language

LANGUAGES = tuple(Language)
DEFAULT = DEFAULT_LANGUAGE
# How numbers are written: as in Morocco (Latin digits, a decimal comma), and British English.
LOCALES = {"fr": "fr_MA", "ar": "ar_MA", "en": "en_GB"}


def choose(asked: str | None, remembered: str | None, accept) -> str:
    """Return the language: asked in the link, else remembered in the cookie, else the browser's."""
    for candidate in (asked, remembered):
        if candidate in LANGUAGES:
            return candidate
    for value, _quality in accept or ():  # best first; `ar-MA` and `en-GB` count as `ar` and `en`
        primary = value.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT


def direction(lang: str) -> str:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


def locale() -> str:
    """Return the page's locale, for Babel's formatting of numbers."""
    return LOCALES[g.get("lang", DEFAULT)]


# The pages' messages, then the words they share with the emails and Open311 (statuses', kinds', yes, no).
DOMAINS = ("pages", "common")


def gettext(key: str, **values) -> str:
    """Return the text of a key in the page's language (French when it is missing)."""
    text = translations.translations(g.get("lang", DEFAULT), *DOMAINS).gettext(key)
    return text.format(**values) if values else text


def ngettext(key: str, count: int, /, **values) -> str:
    """Return the text of a key in the form the page's language gives `count` (1 rating, 2 ratings)."""
    texts = translations.translations(g.get("lang", DEFAULT), *DOMAINS)
    return texts.ngettext(key, key, count).format(**values)


def known(key: str) -> bool:
    """Say whether a key is one of the pages' messages."""
    return translations.has(key, *DOMAINS)


def name(names: dict | None, fallback: str = "") -> str:
    """Return a catalogue name in the page's language."""
    if not names:
        return fallback
    return names.get(g.get("lang", DEFAULT)) or names.get(DEFAULT) or fallback
