"""The public reports and the staff's map, their pure parts: what a report shows, the box, the grid."""

from datetime import UTC, datetime

import pytest
from marshmallow import ValidationError

from common import geo
from common.vocabulary import OPEN_STATUSES, Status
from services.tracking import grid, rules, views
from services.tracking.schemas import MapQuerySchema, ReportsQuerySchema

AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
COPIES = {"thumb": "blob-thumb", "display": "blob-display"}
COMPLAINT = {
    "_id": "RC-2026-7K3P9QX",
    "kind": "complaint",
    "category": "roads",
    "category_name": {"fr": "Voirie", "ar": "الطرق", "en": "Roads"},
    "district": "anfa",
    "subject": "Nid de poule",
    "description": "Un trou profond devant le numéro 12.",
    "address": "12 rue des Oliviers",
    "location": {"lat": 33.5893, "lon": -7.657},
    "citizen": {"name": "Amina Alaoui", "email": "amina@example.ma", "phone": "+212600000000"},
    "email_key": "amina@example.ma",
    "publish": True,
    "status": "in_progress",
    "submitted_at": AT,
    "updated_at": AT,
    "timeline": [
        {"at": AT, "status": "received", "note": None, "by": "citizen"},
        {
            "at": AT,
            "status": "in_progress",
            "note": "Équipe envoyée.",
            "by": "staff",
            "actor": "salma.agent",
            "internal_note": "appeler l'entreprise",
        },
        {"at": AT, "status": "reopened", "note": "Toujours là, chez moi au 12.", "by": "citizen"},
    ],
    "documents": [
        {
            "id": "d1",
            "blob": "orig",
            "filename": "amina-maison.jpg",
            "by": "citizen",
            "copies": COPIES,
            "point": {"lat": 33.58931, "lon": -7.65701},
        },
        {"id": "d2", "blob": "pdf", "filename": "plainte.pdf", "by": "citizen"},
        {"id": "d3", "blob": "orig2", "filename": "chantier.jpg", "by": "staff", "copies": COPIES},
    ],
    "remarks": [{"id": "r1", "text": "Merci", "by": "citizen", "at": AT}],
    "feedback": [{"answer": 1, "at": AT, "satisfaction": 2, "outcome": "not_resolved", "comment": "Lent"}],
    "notes": [{"id": "n1", "at": AT, "actor": "salma.agent", "text": "dossier sensible"}],
}


def test_a_report_shows_what_its_citizen_consented_to_and_the_citys_answers():
    report = views.report_view(COMPLAINT)
    assert report == {
        "number": "RC-2026-7K3P9QX",
        "kind": "complaint",
        "category": "roads",
        "category_name": {"fr": "Voirie", "ar": "الطرق", "en": "Roads"},
        "district": "anfa",
        "status": "in_progress",
        "submitted_at": "2026-11-28T10:00:00.000Z",
        "updated_at": "2026-11-28T10:00:00.000Z",
        "subject": "Nid de poule",
        "address": "12 rue des Oliviers",
        "location": {"lat": 33.5893, "lon": -7.657},
        "answers": [{"at": "2026-11-28T10:00:00.000Z", "status": "in_progress", "note": "Équipe envoyée."}],
        "photos": [
            {
                "id": "d1",
                "thumb": "/api/v1/reports/RC-2026-7K3P9QX/photos/d1/thumb",
                "display": "/api/v1/reports/RC-2026-7K3P9QX/photos/d1",
            }
        ],
    }
    assert views.report_view(COMPLAINT, description=True)["description"] == COMPLAINT["description"]


def test_a_report_holds_nothing_personal_nor_internal():
    text = repr(views.report_view(COMPLAINT, description=True))
    for hidden in (
        "Amina Alaoui", "amina@example.ma", "+212600000000",  # the citizen
        "salma.agent", "appeler", "dossier sensible",  # staff names and internal notes
        "Toujours là",  # the citizen's words after filing (a reopening's reason)
        "Merci", "Lent",  # remarks and ratings
        "amina-maison", "orig", "33.58931",  # a photo's original, name and GPS position
        "d3", "d2",  # a staff member's photo, a PDF
    ):  # fmt: skip
        assert hidden not in text, hidden


def test_without_consent_or_once_anonymised_nothing_is_public():
    for withdrawn in ({"publish": False}, {"publish": None}, {"anonymised_at": AT}):
        complaint = {**COMPLAINT, **withdrawn}
        assert not rules.published(complaint)
        assert rules.public_photos(complaint) == [] and rules.public_answers(complaint) == []


@pytest.mark.parametrize(
    ("wanted", "statuses"),
    [
        (None, tuple(Status)),
        ("open", OPEN_STATUSES),
        ("done", (Status.RESOLVED, Status.REJECTED, Status.CLOSED)),
        ("closed", (Status.CLOSED,)),
        ("reopened", (Status.REOPENED,)),
    ],
)
def test_the_status_filter_names_a_status_or_a_group(wanted, statuses):
    assert rules.statuses_of(wanted) == statuses


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("-7.7,33.5,-7.5", "west,south,east,north"),
        ("-7.7,33.5,-7.5,x", "four numbers"),
        ("-7.7,33.5,-7.5,nan", "finite"),
        ("-7.5,33.5,-7.7,33.7", "west first"),
        ("-7.7,33.7,-7.5,33.5", "south first"),
        ("-7.7,33.5,-7.5,inf", "finite"),
    ],
)
def test_a_box_that_is_not_one_is_refused_saying_why(text, error):
    with pytest.raises(ValueError, match=error):
        grid.parse_box(text)
    with pytest.raises(ValidationError) as refused:
        ReportsQuerySchema().load({"bbox": text})
    assert error in refused.value.messages["bbox"][0]


def test_a_box_past_the_worlds_edges_is_the_world():
    # Leaflet's bounds of a map showing the world more than once.
    assert grid.parse_box("-200.5,-95,190,91") == grid.Box(-180, -90, 180, 90)


def test_a_box_holds_its_edges_and_is_read_by_every_cell_it_touches():
    box = grid.parse_box("-7.6, 33.5 ,-7.59,33.51")
    assert box.holds({"lat": 33.5, "lon": -7.6}) and box.holds({"lat": 33.51, "lon": -7.59})
    assert not box.holds({"lat": 33.511, "lon": -7.595}) and not box.holds(None)
    cells = grid.cells(box)
    for lat, lon in ((33.5, -7.6), (33.51, -7.59), (33.505, -7.595)):
        assert geo.cell(lat, lon) in cells
    assert len(cells) == len(set(cells)) == 6 * 6
    assert grid.cells(grid.parse_box("-7.75,33.45,-7.4,33.7")) is None  # past MAX_CELLS


def test_the_reports_are_paged_through_their_newest_thousand():
    assert ReportsQuerySchema().load({"page": "50", "per_page": "20"})["page"] == 50
    with pytest.raises(ValidationError) as refused:
        ReportsQuerySchema().load({"page": "51", "per_page": "20"})
    assert "newest 1000" in refused.value.messages["page"][0]
    with pytest.raises(ValidationError):
        ReportsQuerySchema().load({"per_page": "51"})
    with pytest.raises(ValidationError):
        ReportsQuerySchema().load({"status": "lost"})
    with pytest.raises(ValidationError):
        ReportsQuerySchema().load({"name": "x"})  # unknown parameters are refused


def test_the_map_takes_the_queues_filters_a_box_and_a_zoom():
    query = MapQuerySchema(exclude=("page", "page_size")).load(
        {"district": "anfa", "overdue": "true", "bbox": "-7.7,33.5,-7.5,33.7", "zoom": "14"}
    )
    assert query["overdue"] is True and query["zoom"] == 14
    assert query["bbox"] == grid.Box(-7.7, 33.5, -7.5, 33.7)
    assert MapQuerySchema(exclude=("page", "page_size")).load({})["zoom"] == 12
    with pytest.raises(ValidationError):
        MapQuerySchema(exclude=("page", "page_size")).load({"zoom": "23"})
    with pytest.raises(ValidationError):
        MapQuerySchema(exclude=("page", "page_size")).load({"page": "2"})


def test_a_grid_cell_is_a_quarter_tile_at_every_zoom():
    assert grid.cell_degrees(0) == 90
    assert grid.cell_degrees(14) == pytest.approx(360 / 2**14 / 4)
    assert grid.cell_degrees(15) == grid.cell_degrees(14) / 2


def test_points_are_grouped_by_cell_with_their_mean_count_and_bounds():
    size = 0.01
    points = [
        ("A", 33.501, -7.609),
        ("B", 33.509, -7.601),
        ("C", 33.505, -7.605),
        ("D", 33.515, -7.605),  # the next cell north
        ("E", -0.001, 0.001),  # south of the equator: its own cell, not the one north of it
    ]
    groups = grid.groups(points, size)
    assert groups == [
        {"lat": -0.001, "lon": 0.001, "count": 1, "bounds": [0.001, -0.001, 0.001, -0.001], "number": "E"},
        {"lat": 33.505, "lon": -7.605, "count": 3, "bounds": [-7.609, 33.501, -7.601, 33.509]},
        {"lat": 33.515, "lon": -7.605, "count": 1, "bounds": [-7.605, 33.515, -7.605, 33.515], "number": "D"},
    ]
    assert grid.groups(reversed(points), size) == groups  # whatever order the points come in
    assert grid.groups([], size) == []
    assert sum(g["count"] for g in grid.groups(points, 100)) == 5  # one cell holds them all
