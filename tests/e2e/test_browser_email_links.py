"""The link in a citizen's email opens their complaint in a browser that never saw it, without
typing the address; a link that does not open it says so on the tracking form. Read from the SMTP
sink's files, at phone size, in French and Arabic."""

from __future__ import annotations

import re
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous import TimestampSigner

from common import config, tokens
from services.notification import templates
from tests.e2e.browser import PHONE, Person
from tests.e2e.users import staff
from tests.support import complaint_body, wait_for

LINK = re.compile(r"https?://\S+/complaints/(RC-[0-9A-Z-]+)/open\?t=[\w.-]+")


def file(platform, lang: str) -> tuple[dict, str]:
    """File a complaint in this language through the API; return its receipt and its address."""
    email = f"link.{lang}.{uuid.uuid4().hex[:6]}@example.ma"
    body = complaint_body(citizen={"name": "Amina", "email": email, "language": lang})
    answer = platform.http.post(f"{platform.url}/api/v1/complaints", json=body, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json(), email


def acknowledgement(platform, number: str) -> tuple[str, str]:
    """Return the acknowledgement's text and its link, as the citizen's mailbox holds them."""

    def filed():
        mails = [m for m in platform.emails_for(number) if ":acknowledgement:" in m["X-Notification-Key"]]
        return mails[0] if mails else None

    mail = wait_for(filed, 30, 0.2, "the acknowledgement in the mailbox")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    links = LINK.findall(text)
    assert links == [number], text  # one link, to this complaint
    link = LINK.search(text)[0]
    assert link in html
    return text, link


def fits(person: Person) -> None:
    assert person.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def shows_the_link_refused(person: Person, number: str) -> None:
    """The tracking form, its number filled in, says the link did not open and to type the email."""
    page = person.page
    assert urlsplit(page.url).path == "/track" and "t=" not in page.url
    assert person.t("link.invalid") in person.notice()
    assert person.label("field.number").input_value() == number
    assert person.label("field.email").input_value() == ""
    assert page.locator("html").get_attribute("lang") == person.lang
    fits(person)


def expired(platform, number: str, email: str, monkeypatch) -> str:
    """Return the link this platform would have emailed longer ago than its links last."""
    key = (platform.data_dir / "secrets" / "secret-key").read_text().strip()
    with monkeypatch.context() as then:
        then.setenv("SECRET_KEY", key)
        config.reload()
        age = tokens.email_link_ttl() + 3600
        then.setattr(TimestampSigner, "get_timestamp", lambda _self: int(time.time()) - age)
        token = tokens.issue_email_link(number, email)
    config.reload()
    return f"{platform.url}/complaints/{number}/open?t={token}"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_emailed_link_opens_the_complaint_without_typing_the_address(people, platform, lang):
    receipt, _email = file(platform, lang)
    number = receipt["number"]
    text, link = acknowledgement(platform, number)
    # The email tells the time of filing as the page does: in the city's time zone.
    assert templates.when_in(lang, receipt["submitted_at"]) in text

    citizen = people(lang)  # a fresh browser: no session, no cookie
    citizen.go(f"/complaints/{number}")
    assert urlsplit(citizen.page.url).path == "/track"  # not without the link
    citizen.page.goto(link)
    page = citizen.page
    assert page.url == f"{urlsplit(link).scheme}://{urlsplit(link).netloc}/complaints/{number}"
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert number in page.locator("h1").inner_text()
    assert citizen.t("status.received") in page.locator(".status").inner_text()
    assert "t=" not in page.evaluate("location.href")
    fits(citizen)
    citizen.shot("complaint-from-email")
    citizen.label("field.remark").fill("Ouvert depuis le lien du courriel")  # the session acts as /track's
    citizen.press("complaint.remark.submit")
    assert citizen.t("complaint.remark.done") in citizen.notice()
    token = parse_qs(urlsplit(link).query)["t"][0]
    logs = "".join(path.read_text(errors="replace") for path in (platform.data_dir / "log").glob("*.log"))
    assert token not in logs  # a credential: never written down


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_link_opens_only_its_own_complaint_and_a_spoiled_one_says_so(people, platform, lang, monkeypatch):
    (mine, email), (theirs, _) = file(platform, lang), file(platform, lang)
    _text, link = acknowledgement(platform, mine["number"])
    token = parse_qs(urlsplit(link).query)["t"][0]
    citizen = people(lang)

    citizen.go(f"/complaints/{theirs['number']}/open?t={token}")  # my link, their complaint
    shows_the_link_refused(citizen, theirs["number"])
    citizen.shot("email-link-refused")
    citizen.go(f"/complaints/{theirs['number']}")
    assert urlsplit(citizen.page.url).path == "/track"  # nothing of theirs opened

    spoiled = token[:-8] + ("A" * 8 if not token.endswith("A" * 8) else "B" * 8)
    citizen.go(f"/complaints/{mine['number']}/open?t={spoiled}")
    shows_the_link_refused(citizen, mine["number"])

    citizen.page.goto(expired(platform, mine["number"], email, monkeypatch))
    shows_the_link_refused(citizen, mine["number"])

    citizen.go(f"/complaints/{mine['number']}/open")  # no token at all
    shows_the_link_refused(citizen, mine["number"])

    citizen.page.goto(link)  # the emailed one still opens it
    assert urlsplit(citizen.page.url).path == f"/complaints/{mine['number']}"
    fits(citizen)


def test_a_link_stops_opening_once_the_citizens_data_is_erased(people, platform):
    receipt, email = file(platform, "ar")
    number = receipt["number"]
    _text, link = acknowledgement(platform, number)
    erased = staff(platform, "admin", "e2e-admin-pass").post("/staff/citizens/erasure", json={"email": email})
    assert erased.status_code == 200, erased.text
    citizen = people("ar")
    citizen.page.goto(link)
    shows_the_link_refused(citizen, number)
