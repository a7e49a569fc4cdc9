"""Where a complaint is, and complaints already reported, in a real browser at phone and desk size.

A citizen on a phone gives the place by a photo carrying its GPS position or by typing the point;
the complaint is placed in the nearest district and shows its coordinates; staff open it in a map
application. Every page is checked at phone width (390 px) in French and Arabic.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e import users
from tests.e2e.browser import DESKTOP, PHONE, Person, staff_moves, staff_sign_in, track
from tests.support import complaint_body, gps_jpeg, wait_for

# Near Maârif's centre (33.576, -7.637), about 5 km from Anfa's: the photo's point places it there.
MAARIF = (33.57655, -7.63721)
ANFA = (33.58931, -7.65702)
# Where each language's citizen types the point: both in Anfa, 330 m apart, so that the second is
# not shown the first as already reported (the test below does that on purpose).
TYPED = {"fr": ("33.58931", "-7.65702"), "ar": ("33.59231", "-7.65702")}


def fits_the_phone(person: Person) -> None:
    """Fail when the page is wider than a phone's screen (nothing to scroll sideways)."""
    size = person.page.viewport_size
    person.page.set_viewport_size(PHONE)
    assert person.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], person.page.url
    person.page.set_viewport_size(size)


def fill_without_district(citizen: Person, subject: str, email: str) -> None:
    citizen.go("/")
    fits_the_phone(citizen)
    citizen.page.get_by_role("radio", name=citizen.t("kind.complaint")).check()
    citizen.label("field.category").select_option("roads")
    assert citizen.label("field.district").input_value() == ""  # no district chosen
    citizen.box("field.subject").fill(subject)
    citizen.box("field.description").fill("Un trou profond au milieu de la chaussée.")
    citizen.label("field.email").fill(email)
    citizen.label("field.consent").check()


def submitted_number(citizen: Person) -> str:
    citizen.press("home.submit")
    return wait_submitted(citizen)


def wait_submitted(citizen: Person) -> str:
    citizen.page.wait_for_url(re.compile(r"/submitted$"))
    fits_the_phone(citizen)
    return citizen.page.locator(".number").inner_text()


def shown_point(person: Person) -> str:
    point = person.page.locator(".facts .point")
    assert point.get_attribute("dir") == "ltr"  # coordinates read left to right, on Arabic pages too
    return point.inner_text()


def district_name(person: Person, code: str) -> str:
    return {"maarif": {"fr": "Maârif", "ar": "المعاريف"}, "anfa": {"fr": "Anfa", "ar": "أنفا"}}[code][
        person.lang
    ]


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_photo_with_its_position_places_the_complaint_of_a_citizen_on_a_phone(people, lang):
    citizen = people(lang, PHONE)
    email = f"photo.{lang}@example.ma"
    fill_without_district(citizen, f"Trou photographié {lang}", email)
    photo = [{"name": "trou.jpg", "mimeType": "image/jpeg", "buffer": gps_jpeg(*MAARIF)}]
    citizen.label("field.documents").set_input_files(photo)
    citizen.press("home.submit")
    if lang == "ar":  # the French citizen's photo was taken there: the check reads the photo's point
        section = citizen.page.locator("section.nearby")
        assert section.get_by_role("heading", name=citizen.t("nearby.title")).count() == 1
        assert citizen.t("nearby.attach_again") in section.inner_text()
        fits_the_phone(citizen)
        citizen.label("field.documents").set_input_files(photo)  # attached again, and sent all the same
    number = submitted_number(citizen) if lang == "ar" else wait_submitted(citizen)

    track(citizen, number, email)
    fits_the_phone(citizen)
    facts = citizen.page.locator(".facts").inner_text()
    assert shown_point(citizen) == "33.57655, -7.63721"
    assert citizen.t("place.nearest", district=district_name(citizen, "maarif")) in facts
    assert district_name(citizen, "maarif") in citizen.page.locator(".facts dd").nth(2).inner_text()
    assert citizen.page.get_by_role("link", name="trou.jpg", exact=True).count() == 1  # the photo is kept
    assert citizen.page.locator("a[href^='geo:']").count() == 0  # the map links are the staff's
    citizen.shot("complaint-placed-by-photo")


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_typed_point_places_the_complaint_and_staff_open_it_in_a_map_application(people, lang):
    citizen, agent = people(lang, PHONE), people(lang, DESKTOP)
    email = f"point.{lang}@example.ma"
    fill_without_district(citizen, f"Trou au point {lang}", email)
    # A hostile or half-given point: refused next to its box, nothing filed, what was typed kept.
    for lat, lon, refused in (("NaN", "-7.6", "lat"), ("33.5", "", "lon"), ("95", "-7.6", "lat")):
        citizen.label("field.lat").fill(lat)
        citizen.label("field.lon").fill(lon)
        citizen.press("home.submit")
        assert citizen.page.locator(f"#{refused}-error").inner_text() == citizen.t(f"field.{refused}.error")
        assert "/submitted" not in citizen.page.url  # nothing filed
        fits_the_phone(citizen)
        citizen.label("field.consent").check()
    # Far from the city: kept, but it cannot place the complaint.
    citizen.label("field.lat").fill("34.0209")
    citizen.label("field.lon").fill("-6.8416")
    citizen.press("home.submit")
    assert citizen.page.locator("#district-error").inner_text() == citizen.t("field.district.far")
    citizen.label("field.consent").check()
    # Pasted whole from a map application into the first box, with a comma as decimal mark.
    lat, lon = TYPED[lang]
    citizen.label("field.lat").fill(f"{lat}; {lon}".replace(".", ","))
    citizen.label("field.lon").fill("")
    number = submitted_number(citizen)

    track(citizen, number, email)
    assert shown_point(citizen) == f"{lat}, {lon}"
    assert (
        citizen.t("place.nearest", district=district_name(citizen, "anfa"))
        in citizen.page.locator(".facts").inner_text()
    )
    fits_the_phone(citizen)

    staff_sign_in(agent)
    agent.go(f"/staff/complaints/{number}")
    assert shown_point(agent) == f"{lat}, {lon}"
    geo = agent.page.get_by_role("link", name=agent.t("place.open_map"))
    assert geo.get_attribute("href") == f"geo:{lat},{lon}"
    osm = agent.page.get_by_role("link", name=agent.t("place.osm")).get_attribute("href")
    assert osm.startswith(f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}")
    agent.shot("staff-complaint-point")
    fits_the_phone(agent)


@pytest.mark.parametrize(
    ("location", "field"),
    [
        ({"lat": float("nan"), "lon": -7.6}, "lat"),
        ({"lat": 33.5, "lon": float("inf")}, "lon"),
        ({"lat": 91, "lon": -7.6}, "lat"),
        ({"lat": 33.5, "lon": -180.01}, "lon"),
        ({"lat": "33.5", "lon": -7.6}, "lat"),
        ({"lat": 33.5}, "lon"),
        ({"lat": 1e308, "lon": -7.6}, "lat"),
    ],
)
def test_the_api_refuses_a_wrong_point_by_name(platform, location, field):
    body = json.dumps(complaint_body(district=None, location=location))  # NaN and Infinity as JSON has them
    answer = platform.http.post(
        f"{platform.url}/api/v1/complaints",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 400, answer.text
    assert field in answer.json()["error"]["fields"]["location"]


def test_the_api_places_by_the_photo_and_refuses_what_no_point_places(platform):
    email = "api.photo@example.ma"
    body = complaint_body(citizen={"email": email, "language": "fr"})
    del body["district"]
    refused = platform.http.post(f"{platform.url}/api/v1/complaints", json=body, timeout=10)
    assert refused.status_code == 400 and "district" in refused.json()["error"]["fields"]
    far = platform.http.post(
        f"{platform.url}/api/v1/complaints",
        json={**body, "location": {"lat": 34.02, "lon": -6.84}},
        timeout=10,
    )
    assert far.status_code == 400 and "outside" in far.json()["error"]["fields"]["district"][0]
    filed = platform.http.post(
        f"{platform.url}/api/v1/complaints",
        data={"complaint": json.dumps(body)},
        files=[("documents", ("trou.jpg", gps_jpeg(*MAARIF), "image/jpeg"))],
        timeout=30,
    )
    assert filed.status_code == 201, filed.text
    view = users.citizen(platform, filed.json()["number"], email).get(f"/complaints/{filed.json()['number']}")
    complaint = view.json()
    assert complaint["district"] == "maarif" and complaint["nearest_district"] == "maarif"
    assert complaint["location"] == {"lat": pytest.approx(MAARIF[0]), "lon": pytest.approx(MAARIF[1])}
    # A typed point wins over the photo's, and a chosen district over the point's.
    typed = platform.http.post(
        f"{platform.url}/api/v1/complaints",
        data={
            "complaint": json.dumps(
                {**body, "district": "sidi-belyout", "location": {"lat": ANFA[0], "lon": ANFA[1]}}
            )
        },
        files=[("documents", ("trou.jpg", gps_jpeg(*MAARIF), "image/jpeg"))],
        timeout=30,
    )
    number = typed.json()["number"]
    complaint = users.citizen(platform, number, email).get(f"/complaints/{number}").json()
    assert complaint["district"] == "sidi-belyout" and complaint["nearest_district"] == "anfa"
    assert complaint["location"] == {"lat": ANFA[0], "lon": ANFA[1]}


# ---- already reported: the check before filing, following, merging ------------------------

# A point by Anfa's centre; the same place seen from 40 m away.
SPOT = (33.58412, -7.65106)
CLOSE_BY = (33.58448, -7.65106)


def emails_to(platform, address: str, number: str) -> list:
    return [m for m in platform.emails_for(number) if m["To"] == address]


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def received(platform) -> int:
    answer = platform.http.get(
        f"{platform.url}/api/v1/stats?district=anfa&category=public-lighting", timeout=10
    )
    return answer.json()["received"]


def fill_at(citizen: Person, point: tuple, subject: str, email: str) -> None:
    citizen.go("/")
    citizen.page.get_by_role("radio", name=citizen.t("kind.complaint")).check()
    citizen.label("field.category").select_option("public-lighting")
    citizen.box("field.subject").fill(subject)
    citizen.box("field.description").fill("Le lampadaire est éteint depuis une semaine.")
    citizen.label("field.lat").fill(str(point[0]))
    citizen.label("field.lon").fill(str(point[1]))
    citizen.label("field.email").fill(email)
    citizen.label("field.consent").check()


def test_already_reported_follow_it_instead_or_be_merged_into_it(people, platform):
    first, second, third = people("fr", PHONE), people("ar", PHONE), people("fr", PHONE)
    agent = people("fr", DESKTOP)
    figures_before = received(platform)

    # The first report: nothing near yet, so it is filed at once; its citizen consents to publish.
    fill_at(first, SPOT, "Lampadaire éteint rue des Acacias", "first.lamp@example.ma")
    first.label("field.publish").check()
    kept = submitted_number(first)
    track(first, kept, "first.lamp@example.ma")  # recorded by tracking: now it can be found

    # The second citizen, on a phone in Arabic, 40 m away: the form shows it before filing.
    fill_at(second, CLOSE_BY, "المصباح مطفأ", "second.lamp@example.ma")
    second.label("field.documents").set_input_files(
        [{"name": "lampe.jpg", "mimeType": "image/jpeg", "buffer": gps_jpeg(*CLOSE_BY)}]
    )
    second.press("home.submit")
    section = second.page.locator("section.nearby")
    assert section.get_by_role("heading", name=second.t("nearby.title")).count() == 1
    assert "/submitted" not in second.page.url  # nothing filed yet
    assert kept in section.inner_text() and "Lampadaire éteint rue des Acacias" in section.inner_text()
    assert second.t("nearby.distance", metres=40) in section.inner_text()
    assert second.t("nearby.attach_again") in section.inner_text()  # the photo must be attached again
    fits_the_phone(second)
    second.shot("already-reported")
    section.get_by_role("button", name=second.t("nearby.follow")).click()
    assert second.t("follow.sent", number=kept) in second.notice()
    fits_the_phone(second)

    # Nothing but a link to confirm reaches the address until it is confirmed (double opt-in).
    asked = wait_for(lambda: emails_to(platform, "second.lamp@example.ma", kept), 20, 0.5, "the request")
    assert asked[0]["Subject"] == f"أكدوا تتبع الشكاية رقم {kept}"
    assert "Lampadaire" not in body(asked[0])  # nothing of the other citizen's words
    second.page.goto(re.search(r"http\S+/follow/confirm\?token=\S+", body(asked[0])).group(0))
    fits_the_phone(second)
    second.press("follow.confirm.submit")
    assert second.t("follow.done", number=kept) in second.notice()

    # Staff take the first one up: its follower is told, in Arabic, with the city's public note
    # (its citizen consented to publish it).
    staff_sign_in(agent)
    staff_moves(agent, kept, "in_progress", "Équipe envoyée.")
    told = wait_for(
        lambda: len(emails_to(platform, "second.lamp@example.ma", kept)) == 2, 20, 0.5, "the step"
    )
    assert told
    step = emails_to(platform, "second.lamp@example.ma", kept)[-1]
    assert "قيد المعالجة" in step["Subject"] and "Équipe envoyée." in body(step)
    unfollow = re.search(r"http\S+/unfollow\?token=\S+", body(step)).group(0)

    # The third citizen files all the same after the check: a duplicate, which staff merge.
    fill_at(third, CLOSE_BY, "Éclairage en panne", "third.lamp@example.ma")
    third.press("home.submit")
    assert kept in third.page.locator("section.nearby").inner_text()
    third.press("home.submit")  # different, they think: sent this time
    third.page.wait_for_url(re.compile(r"/submitted$"))
    duplicate = third.page.locator(".number").inner_text()
    wait_for(lambda: received(platform) == figures_before + 2, 20, 0.5, "both to be counted")

    agent.go(f"/staff/complaints/{duplicate}")
    agent.label("field.into").fill(kept)
    agent.press("merge.submit")
    assert agent.t("merge.done") in agent.notice()
    main = agent.page.locator("main")
    assert agent.t("status.closed") in agent.page.locator(".status").inner_text()
    assert (
        main.get_by_role("link", name=kept).first.get_attribute("href").endswith(f"/staff/complaints/{kept}")
    )
    assert main.get_by_role("button", name=agent.t("staff.assignment.submit")).count() == 0  # closed
    agent.shot("staff-duplicate")
    fits_the_phone(agent)
    agent.go(f"/staff/complaints/{kept}")
    assert main.get_by_role("link", name=duplicate).count() == 1  # the kept one names its duplicate
    assert agent.t("duplicate.followers", n=2) in main.inner_text()
    fits_the_phone(agent)

    # The duplicate's citizen is told where it went, then each step of the kept one.
    track(third, duplicate, "third.lamp@example.ma")
    assert third.t("duplicate.citizen") in third.notice() and kept in third.notice()
    assert kept in third.page.locator(".timeline").inner_text()  # the public note names it
    fits_the_phone(third)
    merged = wait_for(lambda: emails_to(platform, "third.lamp@example.ma", kept), 20, 0.5, "the merge email")
    assert duplicate in merged[0]["Subject"] and kept in merged[0]["Subject"]
    # The quality figures count the duplicate once: the kept complaint alone.
    wait_for(lambda: received(platform) == figures_before + 1, 20, 0.5, "the duplicate to be uncounted")

    # The second citizen stops following from the link; the next step reaches the third only.
    second.page.goto(unfollow)
    fits_the_phone(second)
    second.press("unfollow.submit")
    assert second.t("unfollow.done", number=kept) in second.notice()
    staff_moves(agent, kept, "resolved", "Lampadaire réparé.")
    wait_for(
        lambda: len(emails_to(platform, "third.lamp@example.ma", kept)) == 2, 20, 0.5, "the third's step"
    )
    assert len(emails_to(platform, "second.lamp@example.ma", kept)) == 2  # nothing more after stopping
    assert first.dialogs == second.dialogs == third.dialogs == agent.dialogs == []


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_follow_by_a_wrong_number_or_email_is_refused_and_the_link_checked(people, platform, lang):
    citizen = people(lang, PHONE)
    citizen.go("/complaints/RC-2026-0000000/follow")
    fits_the_phone(citizen)
    citizen.label("field.email").fill("someone@example.ma")
    citizen.press("follow.submit")
    assert citizen.t("follow.not_found") in citizen.notice()
    citizen.go("/complaints/RC-2026-0000000/unfollow?token=forged")
    citizen.press("unfollow.submit")
    assert citizen.t("unfollow.invalid") in citizen.notice()
    fits_the_phone(citizen)
    number = platform.submit(citizen={"email": "followed@example.ma", "language": "fr"}).json()["number"]
    api = f"{platform.url}/api/v1/complaints/{number}/followers"
    wait_for(
        lambda: platform.http.post(api, json={"email": "f@example.ma"}, timeout=10).status_code == 202, 15
    )
    for refused in ({"email": "not an email"}, {"email": {"$ne": ""}}, {"email": "f@example.ma", "x": 1}):
        assert platform.http.post(api, json=refused, timeout=10).status_code == 400
