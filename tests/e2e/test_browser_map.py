"""The maps in a real browser: a tap places the problem, and the filing page stays light.

The tiles come from the tests' own server (tests/e2e/tiles.py): nothing is loaded from outside.
A phone (390 px) in French and Arabic, and a desk (1366 px); without script, the boxes still work.
"""

from __future__ import annotations

import re

import pytest
import requests

from tests.e2e.browser import DESKTOP, PHONE, Person

# The filing page's script and style sheets together, as the browser receives them (issue's budget).
PAGE_BUDGET = 250 * 1024


def begin_filing(citizen: Person, subject: str, email: str) -> None:
    citizen.page.get_by_role("radio", name=citizen.t("kind.complaint")).check()
    citizen.label("field.category").select_option("public-lighting")
    citizen.box("field.subject").fill(subject)
    citizen.box("field.description").fill("Le lampadaire est éteint depuis une semaine.")
    citizen.label("field.email").fill(email)
    citizen.label("field.consent").check()


def wait_tiles(citizen: Person) -> None:
    citizen.page.locator(".leaflet-tile-loaded").first.wait_for(state="attached", timeout=15000)


def coordinates(citizen: Person) -> tuple[float, float]:
    return tuple(float(citizen.label(f"field.{name}").input_value()) for name in ("lat", "lon"))


@pytest.mark.parametrize(("lang", "screen"), [("fr", PHONE), ("ar", PHONE), ("fr", DESKTOP)])
def test_a_tap_on_the_map_sets_the_coordinates_and_the_complaint_is_filed_there(people, tiles, lang, screen):
    citizen = people(lang, screen)
    sizes: dict[str, int] = {}
    citizen.page.on(
        "response",
        lambda r: (
            sizes.__setitem__(r.url, len(r.body()))
            if r.request.resource_type in ("script", "stylesheet")
            else None
        ),
    )
    served = len(tiles.served)
    citizen.go("/")
    area = citizen.page.get_by_role("region", name=citizen.t("map.label"))
    area.wait_for()
    assert area.get_attribute("dir") == "ltr"  # a map reads left to right, on Arabic pages too
    wait_tiles(citizen)
    assert len(tiles.served) > served  # the tiles came from MAP_TILES_URL
    assert citizen.t("map.pick.hint") in citizen.page.locator(".map-box").inner_text()
    assert citizen.label("field.lat").input_value() == ""

    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    citizen.page.mouse.click(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2 - 30)
    citizen.page.locator(".leaflet-marker-icon").wait_for()
    lat, lon = coordinates(citizen)
    centre = [float(v) for v in area.get_attribute("data-center").split(",")]
    # 40 px east and 30 px north of the centre, at zoom 12 (about 38 m a pixel at this latitude)
    assert 0.003 < lat - centre[0] < 0.02 and 0.003 < lon - centre[1] < 0.02
    assert citizen.page.locator("#map-status").inner_text() == citizen.t("map.placed")
    citizen.fits()
    total = sum(size for url, size in sizes.items())
    assert total <= PAGE_BUDGET, f"the filing page loads {total} bytes of script and CSS: {sizes}"
    print(f"filing page, {lang} {screen['width']} px: {total} bytes of script and CSS ({len(sizes)} files)")

    begin_filing(citizen, f"Lampadaire éteint {lang} {screen['width']}", f"carte.{lang}@example.ma")
    citizen.shot(f"home-map-{screen['width']}")
    citizen.press("home.submit")
    if citizen.page.locator("section.nearby").count():  # already reported there: file it anyway
        citizen.press("home.submit")
    citizen.page.wait_for_url(re.compile(r"/submitted$"))
    citizen.fits()


def test_typing_the_coordinates_moves_the_pin(people):
    citizen = people("fr", PHONE)
    citizen.go("/")
    wait_tiles(citizen)
    citizen.label("field.lat").fill("33.6")
    citizen.label("field.lon").fill("-7.6")
    pin = citizen.page.locator(".leaflet-marker-icon")
    pin.wait_for()
    assert citizen.page.locator(".leaflet-marker-icon").count() == 1


def test_without_script_the_form_has_no_map_and_typed_coordinates_file_the_complaint(people):
    citizen = people("ar", PHONE, script=False)
    citizen.go("/")
    assert citizen.page.locator(".map-box").is_hidden()
    assert citizen.page.locator(".leaflet-container").count() == 0
    begin_filing(citizen, "Lampadaire sans script", "sans.script@example.ma")
    citizen.label("field.lat").fill("33.5969")
    citizen.label("field.lon").fill("-7.6192")
    citizen.press("home.submit")
    if citizen.page.locator("section.nearby").count():
        citizen.press("home.submit")
    citizen.page.wait_for_url(re.compile(r"/submitted$"))
    citizen.fits()


def test_the_maps_files_go_compressed_and_the_pages_never(platform):
    """Through nginx: the stylesheet and the maps' scripts gzipped; a page (it holds a CSRF token) not."""
    pages, sent = requests.Session(), 0  # the pages are not the API: not checked against openapi.yaml
    for path in (
        "/static/leaflet/leaflet.js",
        "/static/leaflet/leaflet.css",
        "/static/map.js",
        "/static/app.css",
    ):
        answer = pages.get(platform.url + path, headers={"Accept-Encoding": "gzip"}, stream=True)
        assert answer.status_code == 200 and answer.headers["Content-Encoding"] == "gzip", path
        sent += len(answer.raw.read(decode_content=False))
    print(f"the filing page's script and CSS, gzipped by nginx: {sent} bytes")
    page = pages.get(platform.url + "/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in page.headers
