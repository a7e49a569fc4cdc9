"""The web pages in a real headless browser (Debian's chromium driven by Playwright), as people use them.

Forms are found by their labels in the page's language, so a missing or wrong label fails the test.
Every page a person opens, sends a form from or photographs must fit their screen's width.
Screenshots of the main pages go to build/screenshots/ (or $SCREENSHOTS_DIR).
"""

from __future__ import annotations

import re

import pytest
import requests

from common.translations import texts
from tests.e2e.browser import DESKTOP, PHONE, Person, file_complaint, roads, staff_moves, staff_sign_in, track
from tests.e2e.filing import PDF
from tests.support import wait_for

# The pages' texts as they are written, by language and key.
MESSAGES = {lang: texts(lang, "pages", "common") for lang in ("fr", "ar", "en")}


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_a_citizen_and_a_staff_member_do_everything_from_the_pages(people, lang):
    citizen, agent = people(lang), people(lang, DESKTOP)
    email = f"amina.{lang}@example.ma"
    number = file_complaint(citizen, email)
    assert re.fullmatch(r"RC-\d{4}-[0-9A-Z]{7}", number)

    track(citizen, number, email)
    page = citizen.page
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert "<script>alert('x')</script>" in page.locator(".facts").inner_text()  # shown, never run
    assert page.get_by_role("link", name="photo.png", exact=True).count() == 1
    citizen.label("field.file", exact=True).set_input_files(
        {"name": "facture.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    citizen.press("complaint.document.submit")
    assert citizen.t("complaint.document.done") in citizen.notice()
    assert page.get_by_role("link", name="facture.pdf", exact=True).count() == 1
    href = page.get_by_role("link", name="facture.pdf", exact=True).get_attribute("href")
    download = page.request.get(citizen.base + href)
    assert download.body() == PDF and download.headers["x-content-type-options"] == "nosniff"
    citizen.label("field.remark").fill("Le trou s'agrandit <b>vite</b>")
    citizen.press("complaint.remark.submit")
    assert citizen.t("complaint.remark.done") in citizen.notice()
    assert (
        "Le trou s'agrandit <b>vite</b>"
        in page.locator("section", has=page.locator("#remarks-title")).inner_text()
    )
    citizen.shot("complaint")

    staff_sign_in(agent)
    agent.label("staff.queue.search").fill(number)
    agent.press("figures.apply")
    agent.shot("staff-queue")
    agent.page.get_by_role("link", name=number).click()
    assert email in agent.page.inner_text("main") and "Amina Bennani" in agent.page.inner_text("main")
    agent.label("field.note").fill("Voir avec la voirie")
    agent.press("staff.notes.submit")
    assert agent.t("staff.note.done") in agent.notice()
    agent.shot("staff-complaint")
    agent.label("field.department").select_option("roads")
    agent.label("field.agent").select_option("admin")
    agent.press("staff.assignment.submit")
    assert agent.t("staff.assignment.done") in agent.notice()
    assigned = agent.t("staff.assignment.current", department=roads(lang), agent="admin")
    assert assigned in agent.page.inner_text("main")
    staff_moves(agent, number, "in_progress", "Équipe envoyée sur place.")
    staff_moves(agent, number, "resolved", "Trou rebouché.")

    citizen.go(f"/complaints/{number}")
    assert citizen.t("status.resolved") in page.locator(".status").inner_text()
    assert "Trou rebouché." in page.locator(".timeline").inner_text()
    assert "Voir avec la voirie" not in page.inner_text("main")  # internal notes stay internal
    citizen.shot("complaint-answered")
    citizen.press("complaint.rating.submit")  # nothing chosen: refused next to the fields
    assert page.locator("#rating-satisfaction-error").count() == 1
    page.get_by_role("radio", name=re.compile(r"^4 ")).check()
    page.get_by_role("radio", name=citizen.t("outcome.partially_resolved"), exact=True).check()
    citizen.label("field.comment").fill("Merci, mais le marquage manque")
    citizen.press("complaint.rating.submit")
    assert citizen.t("complaint.rating.done") in citizen.notice()
    assert page.get_by_role("heading", name=citizen.t("complaint.rating.title")).count() == 0  # rated once
    citizen.label("field.reason").fill("Le trou est revenu après la pluie")
    citizen.press("complaint.reopen.submit")
    assert citizen.t("complaint.reopen.done") in citizen.notice()
    assert citizen.t("status.reopened") in page.locator(".status").inner_text()
    assert citizen.dialogs == [] and agent.dialogs == []

    agent.go(f"/staff?status=reopened&q={number}")
    assert agent.page.get_by_role("link", name=number).count() == 1


def test_the_public_figures_have_charts_and_filters(people):
    visitor = people("fr", DESKTOP)
    visitor.go("/figures")
    assert visitor.page.locator("figure.chart").count() == 4
    assert visitor.page.locator("table.data tbody tr").count() >= 1
    visitor.shot("figures")
    visitor.label("field.district").select_option("anfa")
    visitor.press("figures.apply")
    assert "district=anfa" in visitor.page.url
    received = visitor.page.locator(".card .big").first.inner_text()
    assert received.isdigit()
    arabic = people("ar", PHONE)
    arabic.go("/figures")
    assert arabic.page.locator("html").get_attribute("dir") == "rtl"
    arabic.shot("figures")


def test_the_language_is_switched_and_remembered(people):
    visitor = people("fr")
    visitor.go("/")
    visitor.page.get_by_role("link", name="العربية").click()
    assert visitor.page.locator("html").get_attribute("dir") == "rtl"
    visitor.go("/track")  # remembered
    assert visitor.page.locator("h1").inner_text() == MESSAGES["ar"]["track.title"]
    visitor.page.get_by_role("link", name="English").click()
    assert visitor.page.locator("h1").inner_text() == MESSAGES["en"]["track.title"]


def test_an_administrator_manages_members_catalogue_and_keys(people):
    admin = people("fr", DESKTOP)
    staff_sign_in(admin)
    admin.go("/staff/members")
    form = admin.page.locator(
        "form", has=admin.page.get_by_role("button", name=admin.t("staff.members.create"))
    )
    form.get_by_label(admin.t("field.username")).fill("salma.browser")
    form.get_by_label(admin.t("field.password"), exact=False).fill("un-mot-de-passe-long")
    form.get_by_label(admin.t("field.role")).select_option("supervisor")
    form.get_by_role("checkbox", name="Sidi Moumen").check()  # a district no other test files in
    form.get_by_label(admin.t("field.email")).fill("salma@city.ma")
    admin.press("staff.members.create")
    assert admin.t("staff.members.created", username="salma.browser") in admin.notice()
    admin.shot("staff-members")
    row = admin.page.locator("tr", has=admin.page.get_by_role("rowheader", name="salma.browser"))
    row.locator("summary").click()
    row.get_by_label(admin.t("staff.members.active")).uncheck()
    row.get_by_role("button", name=admin.t("form.save")).click()
    assert admin.t("staff.members.changed", username="salma.browser") in admin.notice()
    row = admin.page.locator("tr", has=admin.page.get_by_role("rowheader", name="salma.browser"))
    assert row.locator("td").nth(3).inner_text() == admin.t("no")

    admin.go("/staff/catalog")
    form = admin.page.locator(
        "form", has=admin.page.get_by_role("button", name=admin.t("staff.catalog.add"))
    ).first
    form.get_by_label(admin.t("field.code")).fill("nouvel-arrondissement")
    form.get_by_label("Français").fill("Nouvel arrondissement")
    form.get_by_label("العربية").fill("مقاطعة جديدة")
    form.get_by_label("English").fill("New district")
    form.get_by_role("button", name=admin.t("staff.catalog.add")).click()
    assert admin.t("staff.catalog.added") in admin.notice()
    admin.shot("staff-catalog")
    wait_for(lambda: offered(admin, "Nouvel arrondissement"), 10, 0.5, "the new district on the form")
    admin.go("/staff/catalog")  # retired again, so that the other tests see the default catalogue
    entry = admin.page.locator(
        ".entries li", has=admin.page.locator("code", has_text="nouvel-arrondissement")
    )
    entry.locator("summary").click()
    entry.get_by_label(admin.t("staff.members.active")).uncheck()
    entry.get_by_role("button", name=admin.t("form.save")).click()
    assert admin.t("staff.catalog.changed") in admin.notice()
    wait_for(lambda: not offered(admin, "Nouvel arrondissement"), 10, 0.5, "the district gone from the form")

    admin.go("/staff/open311-keys")
    admin.label("field.key_name").fill("Application Allo Casa")
    admin.press("staff.keys.issue")
    key = admin.page.locator("code.secret").inner_text()
    assert key.startswith("o311_")
    admin.shot("staff-keys")
    admin.go("/staff/open311-keys")
    assert key not in admin.page.content()  # shown once
    admin.page.get_by_role("button", name=re.compile(admin.t("staff.keys.revoke"))).first.click()
    assert admin.t("staff.keys.revoked") in admin.notice()


def offered(person: Person, district: str) -> bool:
    """Return whether the filing form offers this district (catalogue changes reach every process in 5 s)."""
    person.go("/")
    return person.label("field.district").locator("option", has_text=district).count() == 1


def test_pages_are_protected_against_forgery_scripts_and_framing(people, platform):
    visitor = people("fr")
    answer = visitor.go("/")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    # Scripts from the gateway only, none written in the page: the maps' files
    assert "script-src 'self';" in policy and "unsafe" not in policy
    sources = visitor.page.locator("script").evaluate_all(
        "all => all.map(s => s.src && new URL(s.src).pathname)"
    )
    assert sources == ["/static/leaflet/leaflet.js", "/static/map.js"]
    # A script injected into the page by any means does not run
    ran = visitor.page.evaluate(
        """() => new Promise(done => {
            document.addEventListener("securitypolicyviolation", () => done("refused"), {once: true});
            const s = document.createElement("script");
            s.textContent = "window.injected = true";
            document.body.appendChild(s);
            setTimeout(() => done(window.injected ? "ran" : "refused"), 500);
        })"""
    )
    assert ran == "refused"
    pages = requests.Session()  # the pages are not the API: not checked against openapi.yaml
    forged = pages.post(f"{platform.url}/track", data={"number": "RC-2026-0000000", "email": "a@b.ma"})
    assert forged.status_code == 400 and MESSAGES["fr"]["error.stale_form"] in forged.text
    staff_only = pages.get(f"{platform.url}/staff/members", allow_redirects=False)
    assert staff_only.status_code == 302 and "/staff/login" in staff_only.headers["Location"]


def test_the_forms_work_from_the_keyboard(people):
    visitor = people("en")
    visitor.go("/track")
    visitor.page.keyboard.press("Tab")
    assert visitor.page.evaluate("document.activeElement.className") == "skip"
    visitor.page.keyboard.press("Enter")
    visitor.label("field.number").focus()
    visitor.page.keyboard.type("RC-2026-0000000")
    visitor.page.keyboard.press("Tab")
    visitor.page.keyboard.type("nobody@example.ma")
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    assert MESSAGES["en"]["track.not_found"] in visitor.notice()


def test_an_administrator_places_an_open311_request_and_exports_from_the_pages(people, platform):
    admin = people("ar", DESKTOP)
    key = re.search(r"api_key (\S+)\)", platform.log.read_text()).group(1)
    posted = requests.post(
        f"{platform.url}/open311/v2/requests.json",
        data={"api_key": key, "service_code": "public-lighting", "address_string": "درب غلف"},
        timeout=10,
    )
    number = posted.json()[0]["service_request_id"]
    staff_sign_in(admin)

    def listed() -> bool:
        admin.page.get_by_role("link", name=admin.t("staff.nav.unplaced")).click()
        return admin.page.get_by_role("link", name=number).count() == 1

    wait_for(listed, 15, 0.5, "the request among those to place")
    admin.page.get_by_role("link", name=number).click()
    assert admin.t("complaint.unplaced") in admin.page.locator(".facts").first.inner_text()
    admin.page.locator(
        "form", has=admin.page.get_by_role("button", name=admin.t("staff.place.submit"))
    ).get_by_label(admin.t("field.district")).select_option("sidi-moumen")
    admin.press("staff.place.submit")
    assert admin.t("staff.place.done") in admin.notice()
    assert "سيدي مومن" in admin.page.locator(".facts").first.inner_text()

    admin.go("/staff/figures")
    link = admin.page.get_by_role("link", name=admin.t("staff.export.stats"))
    csv = admin.page.request.get(admin.base + link.get_attribute("href"))
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.body().startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for spreadsheets
