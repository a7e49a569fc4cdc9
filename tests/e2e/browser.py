"""People in a real headless browser (Debian's chromium driven by Playwright), and what they do on the pages.

Forms are found by their labels in the page's language, so a missing or wrong label fails the test.
Every page a person opens, sends a form from or photographs must fit their screen's width.
Screenshots of the main pages go to build/screenshots/ (or $SCREENSHOTS_DIR).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from common.translations import catalog, texts, translations
from services.intake.catalog import default_categories
from tests.contract import ROOT
from tests.e2e.filing import png
from tests.support import wait_for

# The pages' texts as they are written, by language and key.
MESSAGES = {lang: texts(lang, "pages", "common") for lang in ("fr", "ar", "en")}
PLURALS = {message.id[0] for message in catalog("pages", "fr") if message.pluralizable}

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", ROOT / "build" / "screenshots"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
LOCALES = {"fr": "fr-MA", "ar": "ar-MA", "en": "en-GB"}


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """Launch Debian's chromium (installed when missing and running as root) through Playwright."""
    from playwright.sync_api import sync_playwright

    from launcher import infra

    infra.ensure_package(CHROMIUM, "chromium", print, "or set CHROMIUM to a Chromium binary")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


class Person:
    """One person's browser (own cookies), in one language, on a phone or a desk."""

    def __init__(self, browser, platform, lang: str, viewport: dict, script: bool = True):
        self.lang, self.base, self.width = lang, platform.url, viewport["width"]
        self.context = browser.new_context(
            viewport=viewport, locale=LOCALES[lang], java_script_enabled=script
        )
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))

    def t(self, key: str, **values) -> str:
        """Return a text of the pages as they write it; a plural message in the form its `n` takes."""
        if key in PLURALS:
            return translations(self.lang, "pages", "common").ngettext(key, key, values["n"]).format(**values)
        text = MESSAGES[self.lang][key]
        return text.format(**values) if values else text

    def go(self, path: str):
        response = self.page.goto(self.base + path)
        self.fits()
        return response

    def fits(self) -> None:
        """Fail when the page is wider than the screen: on a phone, a page to scroll sideways."""
        self.page.wait_for_load_state()
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= self.width, f"{self.page.url} is {width} px wide on a {self.width} px screen"

    def label(self, key: str, exact: bool = False):
        return self.page.get_by_label(self.t(key), exact=exact)

    def box(self, key: str):
        """Return the text box of a field (the publication consent's label names some fields too)."""
        return self.page.get_by_role("textbox", name=self.t(key))

    def press(self, key: str) -> None:
        self.page.get_by_role("button", name=self.t(key)).click()
        self.fits()

    def shot(self, name: str) -> None:
        self.fits()
        self.page.screenshot(path=str(SHOTS / f"{name}-{self.lang}.png"), full_page=True)

    def notice(self) -> str:
        return " ".join(self.page.locator(".notice").all_inner_texts())

    def close(self) -> None:
        self.context.close()


def roads(lang: str) -> str:
    """Return what the pages call the roads' department: by the default catalogue's category that names it."""
    return next(c["name"][lang] for c in default_categories() if c["department"] == "roads")


def file_complaint(citizen: Person, email: str) -> str:
    """Fill the home page's form as a citizen would; return the number the confirmation shows."""
    citizen.go("/")
    assert citizen.page.locator("html").get_attribute("lang") == citizen.lang
    citizen.page.get_by_role("radio", name=citizen.t("kind.claim")).check()
    citizen.label("field.category").select_option("roads")
    citizen.label("field.district").select_option("anfa")
    citizen.box("field.subject").fill("Nid de poule")
    citizen.box("field.description").fill("Un trou profond devant l'école <script>alert('x')</script>")
    citizen.box("field.address").fill("12 boulevard d'Anfa")
    citizen.label("field.documents").set_input_files(
        [{"name": "photo.png", "mimeType": "image/png", "buffer": png()}]
    )
    citizen.label("field.name").fill("Amina Bennani")
    citizen.label("field.email").fill(email)
    citizen.shot("home")
    citizen.press("home.submit")  # without the consent box: refused, next to the box, nothing lost
    assert citizen.page.locator("#consent-error").inner_text() == citizen.t("field.consent.error")
    assert citizen.box("field.subject").input_value() == "Nid de poule"
    citizen.label("field.consent").check()
    citizen.label("field.publish").check()  # separate from the consent above, and optional
    citizen.label("field.documents").set_input_files(
        [{"name": "photo.png", "mimeType": "image/png", "buffer": png()}]
    )
    citizen.press("home.submit")
    citizen.page.wait_for_url(re.compile(r"/submitted$"))
    citizen.shot("submitted")
    return citizen.page.locator(".number").inner_text()


def track(citizen: Person, number: str, email: str) -> None:
    def opened() -> bool:
        citizen.go(f"/track?number={number}")
        assert citizen.label("field.number").input_value() == number  # emails link here with the number
        citizen.label("field.email").fill(email.upper())  # compared case-insensitively
        citizen.press("track.submit")
        return "/complaints/" in citizen.page.url

    wait_for(opened, 15, 0.5, "the complaint to be trackable")


def staff_sign_in(person: Person) -> None:
    person.go("/staff")
    person.label("field.username").fill("admin")
    person.label("field.password").fill("e2e-admin-pass")
    person.shot("staff-login")
    person.press("staff.login.submit")
    person.page.wait_for_url(re.compile(r"/staff$"))


def staff_moves(person: Person, number: str, status: str, note: str) -> None:
    person.go(f"/staff/complaints/{number}")
    person.page.get_by_role("radio", name=person.t(f"status.{status}"), exact=True).check()
    person.label("field.public_note").fill(note)
    person.press("staff.transition.submit")
    assert person.t("staff.transition.done") in person.notice()
