"""The catalogue page's forms: what an administrator types becomes what intake's API is sent."""

from __future__ import annotations

import pytest
from flask import render_template
from werkzeug.datastructures import MultiDict

from gateway.web import staff_admin

SQUARE = '{"type": "Polygon", "coordinates": [[[-7.7, 33.5], [-7.6, 33.5], [-7.6, 33.6], [-7.7, 33.5]]]}'
NAMES = {"name_fr": "Anfa", "name_ar": "أنفا", "name_en": "Anfa"}


@pytest.mark.parametrize(
    ("typed", "creating", "sent"),
    [
        (
            SQUARE,
            True,
            {"type": "Polygon", "coordinates": [[[-7.7, 33.5], [-7.6, 33.5], [-7.6, 33.6], [-7.7, 33.5]]]},
        ),
        ("", True, "absent"),  # a new district without a boundary: its centre places it
        ("", False, None),  # emptied on a change: the boundary is removed
        ("  ", False, None),
        (
            "POLYGON ((0 0, 1 0, 1 1, 0 0))",
            False,
            "POLYGON ((0 0, 1 0, 1 1, 0 0))",
        ),  # not JSON: intake says why
    ],
)
def test_a_typed_boundary_is_sent_as_geojson(typed, creating, sent):
    form = MultiDict({**NAMES, "code": "anfa", "boundary": typed, "active": "yes"})
    data = staff_admin._entry_fields(form, "districts", creating=creating)
    assert data.get("boundary", "absent") == sent


def test_a_category_takes_no_boundary():
    form = MultiDict({**NAMES, "code": "roads", "boundary": SQUARE, "department": "roads"})
    assert "boundary" not in staff_admin._entry_fields(form, "categories", creating=True)


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_a_districts_boundary_shows_in_its_form_as_geojson(lang):
    from gateway.app import create_app

    boundary = {"type": "Polygon", "coordinates": [[[-7.7, 33.5], [-7.6, 33.5], [-7.6, 33.6], [-7.7, 33.5]]]}
    district = {"code": "anfa", "name": {"fr": "Anfa", "ar": "أنفا", "en": "Anfa"}, "active": True}
    app = create_app({"TESTING": True})
    with app.test_request_context(f"/staff/catalog?lang={lang}"):
        app.preprocess_request()
        html = render_template(
            "staff/catalog.html",
            me={"username": "admin", "role": "admin"},
            catalog={"districts": [{**district, "boundary": boundary}], "categories": []},
            errors={},
            values={},
        )
    assert html.count('name="boundary"') == 2  # the district's change, and a new district
    assert "[[[-7.7, 33.5], [-7.6, 33.5]" in html
