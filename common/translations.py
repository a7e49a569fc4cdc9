"""The platform's words in French, Arabic and English: gettext catalogues read from their .po files.

The catalogues are common/locale/<lang>/LC_MESSAGES/<domain>.po, in four domains: `pages` (the
gateway's pages), `emails` (notification's messages), `services` (the words the services write into
their answers and records: Open311's, a duplicate's note) and `common` (the words shown in more than
one place: a status's and a kind's label, keyed by common.vocabulary's values, `status.in_progress`,
`kind.claim`, and `yes`, `no`). A msgid is a key, French included; texts take str.format's `{name}`
placeholders. Each .po is compiled in memory at its first use (no .mo is built or committed); a message
missing in a language is taken from French, then shown as its key.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from common.vocabulary import DEFAULT_LANGUAGE, Language

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAINS = ("pages", "emails", "common", "services")


def path(domain: str, language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


@cache
def catalog(domain: str, language: str) -> Catalog:
    """Return a domain's catalogue in a language, as Babel reads its .po (for tests and tools)."""
    with path(domain, language).open("rb") as po:
        return read_po(po, locale=language, domain=domain)


def _compiled(domain: str, language: str) -> gettext.GNUTranslations:
    mo = io.BytesIO()
    write_mo(mo, catalog(domain, language))
    mo.seek(0)
    return gettext.GNUTranslations(mo)


@cache
def translations(language: str, *domains: str) -> gettext.NullTranslations:
    """Return the domains' messages in a language: each domain, then the next, then the same in French."""
    language = language if language in tuple(Language) else DEFAULT_LANGUAGE
    languages = [language] if language == DEFAULT_LANGUAGE else [language, DEFAULT_LANGUAGE]
    # Compiled afresh for each chain: add_fallback changes the object it is called on.
    chain = [_compiled(domain, lang) for lang in languages for domain in domains]
    for translation in chain[1:]:
        chain[0].add_fallback(translation)
    return chain[0]


def has(key: str, *domains: str) -> bool:
    """Say whether a key is a message of one of the domains (in French, which has them all)."""
    return any(key in catalog(domain, DEFAULT_LANGUAGE) for domain in domains)


def texts(language: str, *domains: str) -> dict[str, str]:
    """Return the domains' messages in a language as key -> text, plurals left out (for tests and tools)."""
    return {
        message.id: message.string
        for domain in domains
        for message in catalog(domain, language)
        if message.id and not message.pluralizable
    }
