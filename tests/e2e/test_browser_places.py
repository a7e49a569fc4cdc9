"""The place and the picture in a real browser: boundaries, photos, public reports, the staff's map, alerts.

A phone (390 px) in Arabic and French, a desk (1366 px); the maps' tiles come from the tests' own
server. Every page opened must fit its screen (Person.go).
"""

from __future__ import annotations

import io
import json
import random
import re
import time
import uuid

import pytest

from services.intake.store import CATALOG_CACHE_SECONDS
from tests.e2e import users
from tests.e2e.browser import DESKTOP, PHONE, staff_sign_in, track
from tests.support import wait_for

# A point that the nearest centre would give to Hay Hassani (about 2 km away), inside the test
# district's boundary below: the boundary wins.
INSIDE = (33.5530, -7.6950)
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-7.6985, 33.5500], [-7.6915, 33.5500], [-7.6915, 33.5560], [-7.6985, 33.5560], [-7.6985, 33.5500]]
    ],
}
THUMBNAIL_BUDGET = 30 * 1024


def photo(width: int = 2400, height: int = 1800) -> bytes:
    """Return a phone-sized JPEG of noise: the hardest kind of picture to make small."""
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (width // 8, height // 8), random.randbytes(width // 8 * height // 8 * 3)).resize(
        (width, height)
    ).save(out, "JPEG", quality=90)
    return out.getvalue()


def file(platform, *, publish: bool, subject: str, point=None, photos=()) -> str:
    body = {
        "kind": "complaint",
        "category": "cleanliness",
        "district": "maarif",
        "subject": subject,
        "description": "Des sacs d'ordures s'entassent au coin de la rue.",
        "citizen": {"name": "Omar Privé", "email": "places.citizen@example.ma", "language": "fr"},
        "consent": True,
        "publish": publish,
    }
    if point:
        body["location"] = {"lat": point[0], "lon": point[1]}
    files = [("documents", (f"photo-{n}.jpg", data, "image/jpeg")) for n, data in enumerate(photos)]
    answer = platform.http.post(
        f"{platform.url}/api/v1/complaints", data={"complaint": json.dumps(body)}, files=files, timeout=30
    )
    assert answer.status_code == 201, answer.text
    number = answer.json()["number"]
    users.citizen(platform, number, "places.citizen@example.ma")  # recorded by tracking
    return number


@pytest.fixture
def bounded_district(platform):
    """A district drawn by its boundary, far from its centre; taken out of the catalogue afterwards."""
    admin = users.staff(platform, "admin", "e2e-admin-pass")
    code = f"bounded-{uuid.uuid4().hex[:4]}"
    names = {"fr": "Quartier délimité", "ar": "حي محدد", "en": "Bounded quarter"}
    body = {"code": code, "name": names, "center": {"lat": 33.62, "lon": -7.45}, "boundary": SQUARE}
    answer = admin.post("/staff/catalog/districts", json=body)
    assert answer.status_code == 201, answer.text
    # Changes to the catalogue reach every process within five seconds (docs/api.md): a worker that
    # read it just before would still place by the nearest centre until then.
    time.sleep(CATALOG_CACHE_SECONDS + 0.5)
    yield code
    assert admin.patch(f"/staff/catalog/districts/{code}", json={"active": False}).status_code == 200


def test_a_point_tapped_in_a_boundary_lands_in_that_district_not_the_nearest_centres(
    people, platform, bounded_district
):
    citizen = people("ar", PHONE)
    citizen.go("/")
    citizen.page.get_by_role("radio", name=citizen.t("kind.complaint")).check()
    citizen.label("field.category").select_option("cleanliness")
    citizen.box("field.subject").fill("نفايات في الحي المحدد")
    citizen.box("field.description").fill("أكياس النفايات متراكمة منذ أيام.")
    citizen.label("field.email").fill("bounded.citizen@example.ma")
    citizen.label("field.consent").check()
    # The citizen types the point they know, the map goes there; then a tap beside the pin sets it
    citizen.label("field.lat").fill(str(INSIDE[0]))
    citizen.label("field.lon").fill(str(INSIDE[1]))
    area = citizen.page.get_by_role("region", name=citizen.t("map.label"))
    area.scroll_into_view_if_needed()
    citizen.page.wait_for_timeout(500)  # the map's move to the typed point
    box = area.bounding_box()
    citizen.page.mouse.click(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2 + 10)
    lat, lon = (float(citizen.label(f"field.{n}").input_value()) for n in ("lat", "lon"))
    assert (lat, lon) != INSIDE and abs(lat - INSIDE[0]) < 0.001 and abs(lon - INSIDE[1]) < 0.001
    citizen.press("home.submit")
    if citizen.page.locator("section.nearby").count():
        citizen.press("home.submit")
    citizen.page.wait_for_url(re.compile(r"/submitted$"))
    number = citizen.page.locator(".number").inner_text()
    view = users.citizen(platform, number, "bounded.citizen@example.ma").get(f"/complaints/{number}").json()
    assert view["district"] == bounded_district  # Hay Hassani's centre is the nearest


@pytest.mark.parametrize(("lang", "screen"), [("ar", PHONE), ("fr", DESKTOP)])
def test_thumbnails_show_and_open_the_larger_copy(people, platform, lang, screen):
    number = file(platform, publish=False, subject=f"Photos {lang}", photos=[photo()])
    citizen = people(lang, screen)
    sizes: dict[str, int] = {}
    citizen.page.on("response", lambda r: "/thumb" in r.url and sizes.__setitem__(r.url, len(r.body())))
    track(citizen, number, "places.citizen@example.ma")
    thumb = citizen.page.locator("img[src$='/thumb']").first
    thumb.scroll_into_view_if_needed()
    wait_for(lambda: thumb.evaluate("i => i.complete && i.naturalWidth") > 0, 10, 0.2, "the thumbnail")
    assert thumb.evaluate("i => i.naturalWidth") <= 320 and thumb.get_attribute("alt")
    [size] = sizes.values()
    assert size <= THUMBNAIL_BUDGET, f"a thumbnail of {size} bytes"
    print(f"thumbnail of a 2400 x 1800 photo of noise: {size} bytes")
    citizen.fits()
    citizen.shot(f"photos-{screen['width']}")
    with citizen.page.expect_response(re.compile(r"/display$")) as opened:
        thumb.click()
    assert opened.value.status == 200 and opened.value.headers["content-type"] == "image/jpeg"
    width = citizen.page.evaluate("document.images[0] && document.images[0].naturalWidth")
    assert 320 < width <= 1280  # the display copy, not the original's 2400 px


@pytest.mark.parametrize(("lang", "screen"), [("ar", PHONE), ("fr", PHONE), ("fr", DESKTOP)])
def test_the_public_reports_show_a_consented_complaint_and_never_an_unconsented_one(
    people, platform, lang, screen
):
    mark = uuid.uuid4().hex[:6]
    shown = file(platform, publish=True, subject=f"Public {mark}", point=(33.5771, -7.6366), photos=[photo()])
    hidden = file(platform, publish=False, subject=f"Privé {mark}", point=(33.5772, -7.6367))
    visitor = people(lang, screen)
    visitor.go("/reports?district=maarif&category=cleanliness")
    reports = visitor.page.locator("ol.reports")
    assert f"Public {mark}" in reports.inner_text() and f"Privé {mark}" not in visitor.page.content()
    assert "Omar" not in visitor.page.content() and "places.citizen" not in visitor.page.content()
    visitor.page.locator(".leaflet-tile-loaded").first.wait_for(state="attached")
    assert visitor.page.locator("path.map-point").count() >= 1
    visitor.page.wait_for_timeout(500)  # the map's zoom to its points, drawn
    visitor.shot(f"reports-{screen['width']}")
    visitor.page.get_by_role("link", name=f"Public {mark}").click()
    visitor.page.wait_for_url(re.compile(f"/reports/{shown}$"))
    visitor.fits()
    thumb = visitor.page.locator(f"img[src^='/api/v1/reports/{shown}/photos/']")
    wait_for(lambda: thumb.evaluate("i => i.complete && i.naturalWidth") > 0, 10, 0.2, "the public photo")
    assert visitor.go(f"/reports/{hidden}").status == 404


def test_the_staff_map_shows_the_queues_points_and_a_point_opens_its_complaint(people, platform):
    mark = uuid.uuid4().hex[:8]
    number = file(platform, publish=False, subject=f"Carte {mark}", point=(33.5801, -7.6301))
    agent = people("fr", DESKTOP)
    staff_sign_in(agent)
    agent.go("/staff/map")
    everything = agent.page.locator("#staff-map")
    wait_for(lambda: int(everything.get_attribute("data-drawn") or 0) > 0, 15, 0.3, "the queue's points")
    agent.page.wait_for_timeout(500)
    agent.shot("staff-map")
    agent.go(f"/staff/map?q={mark}")  # the queue's search: this one complaint
    wait_for(lambda: agent.page.locator("path.map-point").count() == 1, 15, 0.3, "the one point")
    agent.page.locator("path.map-point").click(force=True)
    agent.page.get_by_role("link", name=number).click()
    agent.page.wait_for_url(re.compile(f"/staff/complaints/{number}$"))
    phone = people("ar", PHONE)
    staff_sign_in(phone)
    phone.go("/staff/map")  # fits the phone too


def test_an_alert_asked_and_confirmed_in_the_browser_receives_a_published_report_within_its_radius(
    people, platform
):
    centre = (round(33.566 + random.uniform(0, 0.004), 5), round(-7.66 + random.uniform(0, 0.004), 5))
    address = f"alert-{uuid.uuid4().hex[:6]}@example.ma"
    subscriber = people("ar", PHONE)
    subscriber.go(f"/alerts?lat={centre[0]}&lon={centre[1]}&radius=300")  # as a report's page links
    subscriber.page.get_by_role("region", name=subscriber.t("map.label")).wait_for()
    subscriber.page.get_by_role("radio", name=subscriber.t("alerts.frequency.each")).check()
    subscriber.label("field.email").fill(address)
    subscriber.press("alerts.submit")
    assert subscriber.t("alerts.sent") in subscriber.notice()
    [request] = wait_for(lambda: [m for m in platform.emails() if m["To"] == address], 30, 0.5, "the email")
    link = re.search(r"/alerts/confirm\?token=\S+", request.get_body(("plain",)).get_content())[0]
    subscriber.go(link)
    subscriber.press("alerts.confirm.submit")
    assert subscriber.t("alerts.confirmed") in subscriber.notice()

    north = 1 / 111_195  # a metre north, in degrees
    unpublished = file(
        platform, publish=False, subject="Non publié", point=(centre[0] + 50 * north, centre[1])
    )
    outside = file(platform, publish=True, subject="Trop loin", point=(centre[0] + 900 * north, centre[1]))
    within = file(platform, publish=True, subject="Tout près", point=(centre[0] + 120 * north, centre[1]))
    wait_for(
        lambda: [m for m in platform.emails() if m["To"] == address and m["X-Complaint-Number"] == within],
        30,
        0.5,
        "the report's email",
    )
    told = {m["X-Complaint-Number"] for m in platform.emails() if m["To"] == address}
    assert not told & {unpublished, outside}
