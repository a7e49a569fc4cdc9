"""The link of a citizen's email: signed for one complaint and one address, for a while, and nothing else."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous import TimestampSigner

from common import config, tokens
from services.notification import links

NUMBER, OTHER = "RC-2026-7K3P9QX", "RC-2026-4M8T2ZA"
EMAIL = "Amina.Bennani@Example.ma"


@pytest.fixture
def settings(monkeypatch):
    """Return a function that sets variables and reads the settings again; restored afterwards."""
    for name in ("EMAIL_LINK_TTL", "REOPEN_WINDOW_DAYS", "SECRET_KEY", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)

    def load(**variables: str):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return config.reload()

    load()
    yield load
    monkeypatch.undo()
    config.reload()


def issued_ago(monkeypatch, seconds: int) -> str:
    """Return a link's token as it was issued `seconds` ago."""
    with monkeypatch.context() as past:
        past.setattr(TimestampSigner, "get_timestamp", lambda _self: int(time.time()) - seconds)
        return tokens.issue_email_link(NUMBER, EMAIL)


def test_a_link_opens_its_complaint_for_its_address_whatever_the_case(settings):
    token = tokens.issue_email_link(NUMBER, EMAIL)
    assert tokens.email_link_opens(token, NUMBER, "amina.bennani@example.ma")
    assert tokens.email_link_opens(token, NUMBER, "  AMINA.BENNANI@EXAMPLE.MA ")


def test_a_link_opens_neither_another_complaint_nor_for_another_address(settings):
    token = tokens.issue_email_link(NUMBER, EMAIL)
    assert not tokens.email_link_opens(token, OTHER, EMAIL)
    assert not tokens.email_link_opens(token, NUMBER, "someone.else@example.ma")
    assert not tokens.email_link_opens(token, NUMBER, "")  # an anonymised complaint has no address


@pytest.mark.parametrize("where", [0, 10, -5, -2])  # the last character holds padding bits
def test_a_changed_character_anywhere_spoils_the_link(settings, where):
    token = tokens.issue_email_link(NUMBER, EMAIL)
    changed = token[:where] + ("A" if token[where] != "A" else "B") + token[where + 1 :]
    assert not tokens.email_link_opens(changed, NUMBER, EMAIL)


def test_only_a_link_of_this_purpose_and_this_key_opens(settings):
    access = tokens.issue("complaint-access", {"n": NUMBER, "a": tokens.address_digest(EMAIL)})
    assert not tokens.email_link_opens(access, NUMBER, EMAIL)  # same payload, another purpose
    settings(SECRET_KEY="another-key-of-another-platform-0123456789")
    foreign = tokens.issue_email_link(NUMBER, EMAIL)
    settings(SECRET_KEY="this-platforms-own-key-0123456789abcdef")
    assert not tokens.email_link_opens(foreign, NUMBER, EMAIL)
    assert not tokens.email_link_opens("", NUMBER, EMAIL)
    assert not tokens.email_link_opens("not.a.token", NUMBER, EMAIL)


def test_a_link_expires_after_its_lifetime(settings, monkeypatch):
    settings(EMAIL_LINK_TTL="60")
    assert tokens.email_link_opens(issued_ago(monkeypatch, 50), NUMBER, EMAIL)
    assert not tokens.email_link_opens(issued_ago(monkeypatch, 70), NUMBER, EMAIL)


def test_the_lifetime_outlives_the_reopen_window_by_a_month_unless_set(settings):
    assert tokens.email_link_ttl() == 60 * 86400
    settings(REOPEN_WINDOW_DAYS="45")
    assert tokens.email_link_ttl() == 75 * 86400
    settings(EMAIL_LINK_TTL="3600")
    assert tokens.email_link_ttl() == 3600


def test_the_emailed_link_names_the_complaint_and_never_the_address(settings):
    settings(PUBLIC_URL="https://reclamations.casablanca.ma/")
    link = links.complaint_link(NUMBER, EMAIL)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        f"https://reclamations.casablanca.ma/complaints/{NUMBER}/open"
    )
    token = parse_qs(parts.query)["t"][0]
    assert tokens.email_link_opens(token, NUMBER, EMAIL)
    payload = token.split(".")[0]
    readable = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    claims = json.loads(readable)  # anyone can read it: it holds a keyed digest, not the address
    assert claims["n"] == NUMBER and "@" not in readable.decode() and "amina" not in link.lower()
    settings(SECRET_KEY="another-key-of-another-platform-0123456789")
    assert tokens.address_digest(EMAIL) != claims["a"]  # keyed: a guessed address cannot be checked
