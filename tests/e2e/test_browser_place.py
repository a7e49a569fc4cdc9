"""Where a complaint is, and complaints already reported, in a real browser at phone and desk size.

A citizen on a phone gives the place by a photo carrying its GPS position or by typing the point;
the complaint is placed in the nearest district and shows its coordinates; staff open it in a map
application. Every page is checked at phone width (390 px) in French and Arabic.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e import test_browser, users
from tests.e2e.test_browser import DESKTOP, PHONE, Person, staff_sign_in, track
from tests.support import complaint_body, gps_jpeg

browser, people = test_browser.browser, test_browser.people  # the shared browser's fixtures

# Near Maârif's centre (33.576, -7.637), about 5 km from Anfa's: the photo's point places it there.
MAARIF = (33.57655, -7.63721)
ANFA = (33.58931, -7.65702)


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
    citizen.label("field.documents").set_input_files(
        [{"name": "trou.jpg", "mimeType": "image/jpeg", "buffer": gps_jpeg(*MAARIF)}]
    )
    number = submitted_number(citizen)

    track(citizen, number, email)
    fits_the_phone(citizen)
    facts = citizen.page.locator(".facts").inner_text()
    assert shown_point(citizen) == "33.57655, -7.63721"
    assert citizen.t("place.nearest", district=district_name(citizen, "maarif")) in facts
    assert district_name(citizen, "maarif") in citizen.page.locator(".facts dd").nth(2).inner_text()
    assert citizen.page.get_by_role("link", name="trou.jpg").count() == 1  # the photo is kept
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
    citizen.label("field.lat").fill(f"{ANFA[0]}; {ANFA[1]}".replace(".", ","))
    citizen.label("field.lon").fill("")
    number = submitted_number(citizen)

    track(citizen, number, email)
    assert shown_point(citizen) == "33.58931, -7.65702"
    assert (
        citizen.t("place.nearest", district=district_name(citizen, "anfa"))
        in citizen.page.locator(".facts").inner_text()
    )
    fits_the_phone(citizen)

    staff_sign_in(agent)
    agent.go(f"/staff/complaints/{number}")
    assert shown_point(agent) == "33.58931, -7.65702"
    geo = agent.page.get_by_role("link", name=agent.t("place.open_map"))
    assert geo.get_attribute("href") == "geo:33.58931,-7.65702"
    osm = agent.page.get_by_role("link", name=agent.t("place.osm")).get_attribute("href")
    assert osm.startswith("https://www.openstreetmap.org/?mlat=33.58931&mlon=-7.65702")
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
