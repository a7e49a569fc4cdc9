"""The staff's tools in a real browser: a member picked by name, "assigned to me", each line's
deadline, and a canned answer edited before it goes to the citizen."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.browser import DESKTOP, PHONE, Person, file_complaint, roads, staff_sign_in
from tests.support import wait_for

PASSWORD = "une-phrase-assez-longue-pour-salma"
NAME = {"fr": "Salma Idrissi", "ar": "سلمى الإدريسي"}
ANFA = {"fr": "Anfa", "ar": "أنفا"}
TITLE = {"fr": "Transmise à la voirie (navigateur)", "ar": "أحيلت على مصلحة الطرق (المتصفح)"}
TEXTS = {
    "fr": "Votre réclamation a été transmise au service de la voirie.",
    "ar": "تمت إحالة شكايتكم على مصلحة الطرق.",
    "en": "Your complaint was sent on to the roads department.",
}
EDIT = {"fr": "Passage prévu lundi.", "ar": "الزيارة مقررة يوم الاثنين."}
CITY = ZoneInfo("Africa/Casablanca")  # TIMEZONE's default, which the e2e platform keeps


def fits_a_phone(person: Person, path: str | None = None) -> None:
    """Fail when the page (this path, or the one shown now) is wider than a phone's screen."""
    person.page.set_viewport_size(PHONE)
    if path:
        person.go(path)
    width = person.page.evaluate("document.documentElement.scrollWidth")
    wide = person.page.evaluate(  # what sticks out, to say where to look
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth)"
        ".slice(0, 5).map(e => `${e.tagName}.${e.className} ${getComputedStyle(e).position}`)"
    )
    assert width <= PHONE["width"], f"{path or person.page.url} is {width} px wide on a phone: {wide}"
    person.page.set_viewport_size(DESKTOP)


def sign_in_as(person: Person, username: str) -> None:
    person.go("/staff/login")
    person.label("field.username").fill(username)
    person.label("field.password").fill(PASSWORD)
    person.press("staff.login.submit")
    person.page.wait_for_url(lambda url: url.endswith("/staff"))


def create_member(admin: Person, username: str) -> None:
    admin.go("/staff/members")
    form = admin.page.locator(
        "form", has=admin.page.get_by_role("button", name=admin.t("staff.members.create"))
    )
    form.get_by_label(admin.t("field.username")).fill(username)
    form.get_by_label(admin.t("field.password"), exact=False).fill(PASSWORD)
    form.get_by_label(admin.t("field.role")).select_option("agent")
    form.get_by_role("checkbox", name=ANFA[admin.lang], exact=True).check()
    form.get_by_label(admin.t("field.name"), exact=True).fill(NAME[admin.lang])
    form.get_by_label(admin.t("field.department")).fill("roads")
    admin.press("staff.members.create")
    assert admin.t("staff.members.created", username=username) in admin.notice()
    fits_a_phone(admin, "/staff/members")


def create_canned_answer(admin: Person) -> None:
    admin.go("/staff/answers")
    admin.label("field.category").select_option("roads")
    admin.label("staff.answers.status").select_option("in_progress")
    admin.label("staff.answers.name").fill(TITLE[admin.lang])
    admin.label("staff.answers.text.fr").fill(TEXTS["fr"])
    admin.label("staff.answers.text.en").fill(TEXTS["en"])
    admin.press("staff.answers.create")  # the Arabic text missing: refused next to it, nothing lost
    assert admin.page.locator("#new-text_ar-error").inner_text() == admin.t("staff.answers.text.error")
    assert admin.label("staff.answers.text.fr").input_value() == TEXTS["fr"]
    admin.label("staff.answers.text.ar").fill(TEXTS["ar"])
    admin.press("staff.answers.create")
    assert admin.t("staff.answers.created") in admin.notice()
    assert admin.page.get_by_role("rowheader", name=TITLE[admin.lang]).count() == 1
    admin.shot("staff-answers")
    fits_a_phone(admin, "/staff/answers")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_an_agent_takes_a_complaint_by_name_and_answers_it_from_a_canned_answer(people, platform, lang):  # noqa: F811
    admin, agent, citizen = people(lang, DESKTOP), people(lang, DESKTOP), people(lang)
    username = f"salma.tools.{lang}"
    staff_sign_in(admin)
    create_member(admin, username)
    create_canned_answer(admin)

    email = f"amina.tools.{lang}@example.ma"
    number = file_complaint(citizen, email)  # in Anfa, about the roads, in the citizen's language
    fits_a_phone(citizen)

    sign_in_as(agent, username)

    def listed() -> bool:
        agent.go(f"/staff?q={number}")
        return agent.page.get_by_role("link", name=number).count() == 1

    wait_for(listed, 15, 0.5, "the complaint in the queue")
    agent.page.get_by_role("link", name=number).click()
    agent.label("field.department").select_option("roads")
    agent.label("field.agent").select_option(label=NAME[lang])  # by name: an agent takes it themselves
    agent.press("staff.assignment.submit")
    assert agent.t("staff.assignment.done") in agent.notice()
    main = agent.page.inner_text("main")
    assert agent.t("staff.assignment.current", department=roads(lang), agent=NAME[lang]) in main
    assert username not in main
    fits_a_phone(agent, f"/staff/complaints/{number}")

    agent.page.get_by_role("link", name=agent.t("staff.nav.mine")).click()
    assert agent.page.locator("h1").inner_text() == agent.t("staff.queue.mine")
    rows = agent.page.locator("table.data tbody tr")
    assert rows.count() == 1  # only what is assigned to this member
    line = rows.first.inner_text()
    assert number in line and NAME[lang] in line
    due = datetime.fromisoformat(rows.first.locator("time").get_attribute("datetime").replace("Z", "+00:00"))
    days = (due.astimezone(CITY).date() - datetime.now(CITY).date()).days
    assert days >= 44  # roads: 45 days to answer
    assert agent.t("staff.due.left", n=days) in line
    agent.shot("staff-mine")
    fits_a_phone(agent, "/staff?assigned=me")

    agent.page.get_by_role("link", name=number).click()
    agent.label("field.internal_note", exact=True).fill("Vu avec le chef d'équipe")
    agent.label("staff.answers.pick").select_option(label=TITLE[lang])
    agent.press("staff.answers.use")
    note = agent.label("field.public_note")
    assert note.input_value() == TEXTS[lang]  # in the citizen's language, ready to edit
    assert agent.label("field.internal_note", exact=True).input_value() == "Vu avec le chef d'équipe"  # kept
    assert agent.page.get_by_role("radio", name=agent.t("status.in_progress"), exact=True).is_checked()
    agent.shot("staff-canned-answer")
    fits_a_phone(agent)
    note.fill(f"{TEXTS[lang]} {EDIT[lang]}")
    with agent.page.expect_navigation():  # Enter sends the transition, not the "Use" button before it
        agent.page.get_by_role("radio", name=agent.t("status.in_progress"), exact=True).press("Enter")
    assert agent.t("staff.transition.done") in agent.notice()
    assert agent.dialogs == [] and admin.dialogs == []

    def told() -> bool:
        texts = [
            part.get_content()
            for mail in platform.emails_for(number)
            for part in mail.walk()
            if part.get_content_maintype() == "text"
        ]
        return any(EDIT[lang] in text and TEXTS[lang] in text for text in texts)

    wait_for(told, 30, 0.5, "the citizen's email with the edited answer")

    # An assignment the API refuses says why, next to the field, and changes nothing.
    admin.go(f"/staff/complaints/{number}")
    admin.page.locator("#f-assignment-agent option:checked").evaluate("o => o.value = 'nobody.here'")
    admin.press("staff.assignment.submit")
    assert admin.page.locator("#assignment-agent-error").inner_text() == admin.t("field.agent.error")
    admin.go(f"/staff/complaints/{number}")
    assigned = admin.t("staff.assignment.current", department=roads(lang), agent=NAME[lang])
    assert assigned in admin.page.inner_text("main")

    admin.go("/staff/answers")
    delete = admin.page.get_by_role("button", name=f"{admin.t('staff.answers.delete')} {TITLE[lang]}")
    assert delete.evaluate("b => getComputedStyle(b).color") != "rgb(255, 255, 255)"  # not white on white
    delete.click()
    assert admin.t("staff.answers.deleted") in admin.notice()
    assert admin.page.get_by_role("rowheader", name=TITLE[lang]).count() == 0
