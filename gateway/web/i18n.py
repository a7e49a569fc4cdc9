"""The pages' languages: French by default, Arabic (right to left) and English; chosen and kept."""

from __future__ import annotations

from flask import g

from gateway.web.messages import MESSAGES

LANGUAGES = ("fr", "ar", "en")
DEFAULT = "fr"
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
    return "rtl" if lang == "ar" else "ltr"


def locale() -> str:
    """Return the page's locale, for Babel's formatting of numbers."""
    return LOCALES[g.get("lang", DEFAULT)]


def gettext(key: str, **values) -> str:
    """Return the text of a key in the page's language (French when it is missing)."""
    lang = g.get("lang", DEFAULT)
    text = MESSAGES[lang].get(key) or MESSAGES[DEFAULT].get(key) or key
    return text.format(**values) if values else text


def name(names: dict | None, fallback: str = "") -> str:
    """Return a catalogue name in the page's language."""
    if not names:
        return fallback
    return names.get(g.get("lang", DEFAULT)) or names.get(DEFAULT) or fallback
