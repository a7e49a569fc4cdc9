"""The public reports' pages and the staff's map, over fakes of tracking's answers."""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape

from common.translations import texts
from gateway.web.upstream import Answer
from tests.unit.gateway.answers import CATALOG

MESSAGES = {lang: texts(lang, "pages", "common") for lang in ("fr", "ar", "en")}
REPORT = {
    "number": "RC-2026-7K3P9QX",
    "kind": "complaint",
    "category": "roads",
    "district": "anfa",
    "status": "in_progress",
    "submitted_at": "2026-11-02T09:30:00+00:00",
    "updated_at": "2026-11-04T10:00:00+00:00",
    "subject": "Trou </script><script>alert(1)</script>",
    "location": {"lat": 33.5893, "lon": -7.657},
    "answers": [{"at": "2026-11-04T10:00:00+00:00", "status": "in_progress", "note": "Équipe envoyée."}],
    "photos": [
        {
            "id": "d1",
            "thumb": "/api/v1/reports/RC-2026-7K3P9QX/photos/d1/thumb",
            "display": "/api/v1/reports/RC-2026-7K3P9QX/photos/d1",
        }
    ],
}
UNPLACED = {**REPORT, "number": "RC-2026-AAAAAAA", "location": None, "photos": [], "answers": []}


@pytest.fixture
def asked(monkeypatch):
    """Tracking's public reports and the staff's map, faked; return what the pages asked."""
    from gateway.web import reports, shared, staff

    calls: list[tuple[str, dict]] = []

    def call(service, method, path, **kwargs):
        calls.append((path, kwargs.get("params") or {}))
        if path == "/api/v1/reports":
            if kwargs["params"].get("status") == "nonsense":
                return Answer(400, {"error": {"code": "validation_error", "message": "x", "fields": {}}})
            return Answer(200, {"items": [REPORT, UNPLACED], "total": 45})
        if path == f"/api/v1/reports/{REPORT['number']}":
            return Answer(200, REPORT)
        if path.startswith("/api/v1/reports/"):
            return Answer(404, {"error": {"code": "not_found", "message": "Not found."}})
        if path == "/api/v1/staff/complaints/map":
            groups = [
                {"lat": 33.58, "lon": -7.63, "count": 12, "bounds": [-7.65, 33.57, -7.61, 33.59]},
                {
                    "lat": 33.6,
                    "lon": -7.6,
                    "count": 1,
                    "number": "RC-2026-7K3P9QX",
                    "bounds": [-7.6, 33.6, -7.6, 33.6],
                },
            ]
            return Answer(200, {"groups": groups, "total": 13, "unplaced": 2})
        return Answer(200, CATALOG)

    for module in (reports, shared, staff):
        monkeypatch.setattr(module, "call", call)
    return calls


@pytest.fixture
def pages(asked):
    from gateway.app import create_app

    return create_app({"TESTING": True}).test_client()


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_the_reports_page_lists_and_maps_the_published_complaints(pages, asked, lang):
    answer = pages.get(f"/reports?lang={lang}&district=anfa&category=roads&status=open&page=2")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert asked[0] == (
        "/api/v1/reports",
        {"district": "anfa", "category": "roads", "status": "open", "page": 2, "per_page": 20},
    )
    assert str(escape(MESSAGES[lang]["reports.title"])) in html and "Équipe envoyée." in html
    assert 'src="/api/v1/reports/RC-2026-7K3P9QX/photos/d1/thumb"' in html
    assert 'href="/api/v1/reports/RC-2026-7K3P9QX/photos/d1"' in html
    # The map's points: JSON that no subject can end early, only the reports with a point
    block = re.search(r'<script type="application/json" id="report-points">(.*?)</script>', html, re.S)[1]
    points = json.loads(block)["groups"]
    assert [p["href"] for p in points] == ["/reports/RC-2026-7K3P9QX"]
    assert points[0]["label"] == REPORT["subject"]
    assert "<script>alert" not in html
    assert 'rel="prev"' in html and 'rel="next"' in html  # page 2 of 45 at 20 a page


def test_a_filter_that_is_not_one_shows_every_report_and_says_so(pages):
    html = pages.get("/reports?status=nonsense").get_data(as_text=True)
    assert str(escape(MESSAGES["fr"]["reports.bad_filter"])) in html and REPORT["number"] in html


def test_a_report_that_is_not_published_is_not_found(pages):
    assert pages.get("/reports/RC-2026-ZZZZZZZ").status_code == 404
    html = pages.get("/reports/RC-2026-7K3P9QX?lang=ar").get_data(as_text=True)
    assert "Équipe envoyée." in html and 'data-map="points"' in html


def sign_in(pages, role="supervisor"):
    with pages.session_transaction() as session:
        session["staff"] = {"token": "t", "role": role, "districts": ["anfa"], "username": "s"}


def test_the_staff_map_asks_the_queues_filters_and_links_a_single_point_to_its_complaint(pages, asked):
    assert pages.get("/staff/map").status_code == 302  # signed in only
    sign_in(pages)
    html = pages.get("/staff/map?district=anfa&overdue=true&page=3").get_data(as_text=True)
    assert 'data-source="/staff/map/points?district=anfa&amp;overdue=true"' in html  # not the page
    answer = pages.get("/staff/map/points?district=anfa&overdue=true&bbox=-7.7,33.5,-7.5,33.7&zoom=13")
    assert asked[-1] == (
        "/api/v1/staff/complaints/map",
        {"district": "anfa", "overdue": "true", "bbox": "-7.7,33.5,-7.5,33.7", "zoom": "13"},
    )
    groups = answer.get_json()["groups"]
    assert groups[0]["count"] == 12 and "href" not in groups[0] and groups[0]["bounds"]
    assert groups[1]["href"] == "/staff/complaints/RC-2026-7K3P9QX"
