"""What people hit on the pages: errors as pages, refused forms in view, phones, the page's language.

In a real browser (tests/e2e/browser.py's people), in French and Arabic, on a phone and a desk;
every page opened must fit the screen's width (Person.fits).
"""

from __future__ import annotations

import re

import pytest
import requests

from common.translations import texts
from tests.e2e.browser import DESKTOP, PHONE, Person, staff_sign_in, track
from tests.support import wait_for

# The pages' texts as they are written, by language and key.
MESSAGES = {lang: texts(lang, "pages", "common") for lang in ("fr", "ar", "en")}

LAPTOP = {"width": 1366, "height": 768}
BAD = "rgb(179, 38, 30)"  # the stylesheet's --bad


def filed(platform, **changes) -> tuple[str, str]:
    """File a complaint through the API; return its number and the citizen's address."""
    email = changes.pop("email", "leila@example.ma")
    answer = platform.submit(citizen={"email": email, "language": "fr"}, **changes)
    assert answer.status_code == 201, answer.text
    return answer.json()["number"], email


def in_view(person: Person, selector: str) -> bool:
    """Return whether an element is within the screen as the page is scrolled now."""
    box = person.page.locator(selector).first.bounding_box()  # relative to the viewport
    size = person.page.viewport_size
    return box is not None and 0 <= box["y"] < size["height"] and box["x"] + box["width"] <= size["width"]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_wrong_address_is_a_page_in_the_visitors_language_and_the_api_stays_json(people, platform, lang):
    visitor = people(lang)
    answer = visitor.go("/nope")
    assert answer.status == 404 and answer.headers["content-type"].startswith("text/html")
    assert visitor.page.locator("html").get_attribute("lang") == lang
    assert visitor.page.locator("h1").inner_text() == f"{visitor.t('error.title')} 404"
    assert visitor.t("error.not_found") in visitor.notice()
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    visitor.page.get_by_role("link", name=visitor.t("nav.track")).first.click()  # a way on from there
    assert visitor.page.url.endswith("/track")
    api = requests.get(f"{platform.url}/api/v1/nope", timeout=10)
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
    opened = requests.get(f"{platform.url}/complaints/RC-2026-0000000/remarks", timeout=10)
    assert opened.status_code == 405 and "<html" in opened.text and '"error"' not in opened.text


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_refused_remark_is_shown_in_view_and_the_language_links_open_the_complaint(people, platform, lang):
    number, email = filed(platform)
    citizen = people(lang)
    track(citizen, number, email)
    citizen.press("complaint.remark.submit")  # empty: refused
    assert re.search(rf"/complaints/{number}/remarks#remarks-title$", citizen.page.url)
    assert citizen.page.locator("#remark-text-error").inner_text() == citizen.t("field.text.error")
    assert in_view(citizen, "#remark-text-error"), "the refusal is out of sight"
    assert citizen.page.locator("#f-remark-text").evaluate("e => getComputedStyle(e).borderColor") == BAD
    other = {"fr": "العربية", "ar": "Français"}[lang]
    citizen.page.get_by_role("link", name=other).click()
    assert citizen.page.url.endswith(f"/complaints/{number}?lang={'ar' if lang == 'fr' else 'fr'}")
    assert number in citizen.page.locator("h1").inner_text()
    citizen.shot("refused-remark")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_filing_form_tells_every_mistake_at_once_and_outlines_each_field(people, lang):
    citizen = people(lang)
    citizen.go("/")
    citizen.label("field.email").fill("not-an-address")
    citizen.press("home.submit")  # no subject, no description, a wrong address, no consent
    for field in ("subject", "description", "email", "consent"):
        assert citizen.page.locator(f"#{field}-error").count() == 1, field
    assert citizen.page.locator("#consent-error").inner_text() == citizen.t("field.consent.error")
    for field in ("subject", "email"):
        color = citizen.page.locator(f"#f-{field}").evaluate("e => getComputedStyle(e).borderColor")
        assert color == BAD, f"{field} in error is not outlined"
    assert citizen.t("form.has_errors") in citizen.notice()
    citizen.shot("refused-filing")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_rejecting_without_a_reason_asks_for_the_reason_of_the_rejection(people, platform, lang):
    number, _email = filed(platform)
    agent = people(lang, DESKTOP)
    staff_sign_in(agent)
    wait_for(
        lambda: (
            agent.go(f"/staff/complaints/{number}").status == 200 and "/staff/complaints/" in agent.page.url
        ),
        15,
        0.5,
        "the complaint in the staff's pages",
    )
    agent.page.get_by_role("radio", name=agent.t("status.rejected"), exact=True).check()
    agent.press("staff.transition.submit")
    message = agent.page.locator("#transition-reason-error").inner_text()
    assert message == agent.t("field.transition.reason.error")
    assert message != agent.t("field.reason.error")  # not the reopening's
    assert in_view(agent, "#transition-reason-error")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_complaint_page_reads_on_a_phone(people, platform, lang):
    words = "Un trou profond devant l'école, dangereux pour les enfants qui traversent. " * 4
    number, email = filed(platform, description=words)
    citizen = people(lang, PHONE)
    track(citizen, number, email)
    description = citizen.page.locator(".facts dd.text").first
    assert description.bounding_box()["width"] >= 300, "the description is squeezed into a narrow column"
    citizen.shot("complaint-phone")
    agent = people(lang, PHONE)
    staff_sign_in(agent)
    agent.go(f"/staff/complaints/{number}")
    assert agent.page.locator(".facts dd.text").first.bounding_box()["width"] >= 300
    agent.shot("staff-complaint-phone")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_figures_fit_a_phone_and_refuse_a_period_upside_down(people, lang):
    visitor = people(lang, PHONE)
    visitor.go("/figures")
    label = visitor.page.locator("table.bars th").first
    assert float(label.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 14
    visitor.shot("figures-phone")
    visitor.go("/figures?from=2026-12&to=2026-01")
    assert visitor.page.locator("#to-error").inner_text() == visitor.t("field.period.error")
    visitor.go("/figures?from=2026-13")
    assert visitor.page.locator("#from-error").inner_text() == visitor.t("field.month.error")


def test_the_catalogue_saves_are_within_a_laptops_screen(people):
    admin = people("fr", LAPTOP)
    staff_sign_in(admin)
    admin.go("/staff/catalog")
    entry = admin.page.locator(".entries li", has=admin.page.locator("code", has_text="public-lighting"))
    entry.locator("summary").click()
    save = entry.get_by_role("button", name=admin.t("form.save")).bounding_box()
    assert save["x"] >= 0 and save["x"] + save["width"] <= LAPTOP["width"]
    admin.shot("staff-catalog-laptop")


def test_every_staff_page_fits_a_phone(people):
    admin = people("ar", PHONE)
    staff_sign_in(admin)
    for path in ("/staff", "/staff/figures", "/staff/members", "/staff/catalog", "/staff/open311-keys"):
        admin.go(path)  # fits() fails on the first page wider than the screen
    assert MESSAGES["ar"]["staff.nav.queue"] in admin.page.inner_text("header")


def test_the_readme_screenshots(people, platform):
    """The README's two pictures, made here: copy them to docs/screenshots/ when the pages change."""
    for category, district, subject in (
        ("public-lighting", "maarif", "Lampadaire éteint rue Ibnou Mounir"),
        ("cleanliness", "hay-hassani", "Dépôt sauvage d'ordures"),
        ("public-domain", "sidi-belyout", "Trottoir occupé par une terrasse"),
    ):
        filed(platform, category=category, district=district, subject=subject, email="readme@example.ma")
    citizen = people("fr", PHONE)
    citizen.go("/")
    citizen.page.get_by_role("radio", name=citizen.t("kind.complaint")).check()
    citizen.label("field.category").select_option("public-lighting")
    citizen.label("field.district").select_option("maarif")
    citizen.box("field.subject").fill("Lampadaire éteint depuis une semaine")
    citizen.box("field.description").fill("Le lampadaire devant le 40 ne s'allume plus le soir.")
    citizen.box("field.address").fill("40 rue Ibnou Mounir")
    citizen.label("field.email").fill("samir@example.ma")
    citizen.label("field.consent").check()
    area = citizen.page.get_by_role("region", name=citizen.t("map.label"))
    area.scroll_into_view_if_needed()
    citizen.page.locator(".leaflet-tile-loaded").first.wait_for(state="attached")
    box = area.bounding_box()
    citizen.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the map's tap
    citizen.page.evaluate("window.scrollTo(0, 0)")
    citizen.shot("readme-filing-phone")
    agent = people("fr", DESKTOP)
    staff_sign_in(agent)
    wait_for(lambda: agent.go("/staff").ok and agent.page.locator("tbody tr").count() >= 3, 15, 0.5, "lines")
    agent.shot("readme-staff-queue")
    for category, subject, point in (
        ("public-lighting", "Lampadaire éteint boulevard Zerktouni", (33.5843, -7.6302)),
        ("roads", "Chaussée effondrée rue Al Mouatamid", (33.5792, -7.6391)),
        ("green-spaces", "Arbre tombé au parc de la Ligue arabe", (33.5866, -7.6231)),
    ):
        filed(
            platform,
            category=category,
            district="maarif",
            subject=subject,
            publish=True,
            location={"lat": point[0], "lon": point[1]},
            email="readme@example.ma",
        )
    visitor = people("fr", DESKTOP)
    wait_for(
        lambda: (
            visitor.go("/reports?district=maarif").ok and visitor.page.locator("path.map-point").count() >= 3
        ),
        15,
        0.5,
        "the reports on the map",
    )
    visitor.page.wait_for_timeout(500)  # the map's zoom to its points, drawn
    visitor.shot("readme-reports")
