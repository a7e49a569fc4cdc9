"""The public reports on the real store and broker: only what citizens consented to publish, filtered.

The complaints of the first test are filed through intake's API and recorded by tracking from their
complaint.submitted as its worker records them; the others are recorded from their event's data,
each test with a category of its own so that the run's other complaints stay out of its listings.
A photo's copies are written to the store as common/documents.py writes them.
"""

from __future__ import annotations

import io
import json
import re
import uuid

import pytest
from bson import Int64
from PIL import Image

from common import blobs, config
from common.envelope import utcnow
from services.intake import store as intake_store
from services.intake.app import create_app as intake_app
from services.tracking import grid, handlers, privacy, queue_store, reports_store, rules, treatment
from services.tracking import store as tracking_store
from services.tracking.app import create_app as tracking_app
from tests.contract import open311_validator
from tests.integration.answers import documented
from tests.integration.complaints import submission

ADMIN = {"sub": "root", "role": "admin", "districts": ["*"]}
NAME, PHONE = "Samira Tazi", "+212 600 98 76 54"
POINT = {"lat": 33.5812, "lon": -7.6457}
PUBLIC_NOTE, INTERNAL_NOTE = "Équipe de nettoyage envoyée.", "Voir avec le caïd, dossier sensible"


@pytest.fixture
def intake(db):
    intake_store.ensure_indexes(db)
    return intake_app({"TESTING": True}).test_client()


@pytest.fixture
def tracking(db):
    tracking_store.ensure_indexes(db)
    return tracking_app({"TESTING": True}).test_client()


def jpeg(colour: tuple[int, int, int], size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def add_photo(db, number: str, *, by: str = "citizen") -> dict:
    """Add a photo with its copies to a complaint, as common/documents.py stores one; return it."""
    original = jpeg((200, 10, 10), (1600, 1200))
    document = {
        "id": uuid.uuid4().hex,
        "blob": blobs.put(db, original, "image/jpeg"),
        "filename": f"{NAME}.jpg",
        "content_type": "image/jpeg",
        "size": len(original),
        "by": by,
        "added_at": utcnow(),
        "copies": {
            "thumb": blobs.put(db, jpeg((10, 200, 10), (320, 240)), "image/jpeg"),
            "display": blobs.put(db, jpeg((10, 10, 200), (1280, 960)), "image/jpeg"),
        },
        "point": {"lat": 33.58131, "lon": -7.64571},
    }
    db[tracking_store.COMPLAINTS].update_one({"_id": number}, {"$push": {"documents": document}})
    return document


def file(intake, listener, *, publish: bool) -> tuple[str, str]:
    """File a complaint through intake; record it from its complaint.submitted; its number and email."""
    email = f"samira.{uuid.uuid4().hex[:6]}@example.ma"
    body = {
        "kind": "complaint",
        "category": "cleanliness",
        "district": "maarif",
        "subject": f"Dépôt sauvage {uuid.uuid4().hex[:6]}",
        "description": "Des gravats bloquent le trottoir.",
        "address": "14 rue Ibnou Mounir",
        "location": POINT,
        "citizen": {"name": NAME, "email": email, "phone": PHONE},
        "consent": True,
        "publish": publish,
    }
    messages = listener("complaint.submitted")
    answer = intake.post("/api/v1/complaints", data={"complaint": json.dumps(body)})
    assert answer.status_code == 201, answer.json
    number = answer.json["number"]
    [event] = [e for e in messages(1) if e["subject"] == number]
    handlers.on_submitted(event)
    return number, email


def record(db, category: str, **changes) -> str:
    """Record a complaint of this category from its submitted event's data; return its number."""
    data = submission(category=category, **{"publish": True, **changes})
    handlers.record_submitted(db, data)
    return data["number"]


def listed(tracking, **query) -> dict:
    answer = documented(tracking.get("/api/v1/reports", query_string=query))
    assert answer.status_code == 200, answer.json
    return answer.json


def test_a_consented_complaint_is_public_with_its_answers_and_photos_and_nothing_personal(
    db, intake, tracking, listener
):
    shown, email = file(intake, listener, publish=True)
    hidden, hidden_email = file(intake, listener, publish=False)
    for number in (shown, hidden):
        treatment.transition(
            db,
            ADMIN,
            number,
            {"to": "in_progress", "public_note": PUBLIC_NOTE, "internal_note": INTERNAL_NOTE},
        )
    photo, hidden_photo = add_photo(db, shown), add_photo(db, hidden)
    staff_photo = add_photo(db, shown, by="staff")

    answer = documented(
        tracking.get("/api/v1/reports", query_string={"district": "maarif", "category": "cleanliness"})
    )
    assert answer.status_code == 200, answer.json
    [report] = [item for item in answer.json["items"] if item["number"] == shown]
    assert answer.json["items"][0] == report  # the newest first
    assert report["answers"] == [
        {"at": report["answers"][0]["at"], "status": "in_progress", "note": PUBLIC_NOTE}
    ]
    assert report["photos"] == [
        {
            "id": photo["id"],
            "thumb": f"/api/v1/reports/{shown}/photos/{photo['id']}/thumb",
            "display": f"/api/v1/reports/{shown}/photos/{photo['id']}",
        }
    ]
    assert report["location"] == POINT and report["address"] == "14 rue Ibnou Mounir"
    assert report["category_name"]["fr"] and report["status"] == "in_progress"
    one = documented(tracking.get(f"/api/v1/reports/{shown}"))
    assert one.status_code == 200 and one.json == {
        **report,
        "description": "Des gravats bloquent le trottoir.",
    }

    # Nothing personal or internal in any answer, and the unconsented complaint in none.
    for raw in (answer.get_data(as_text=True), one.get_data(as_text=True)):
        for secret in (NAME, email, PHONE, "600 98 76 54", INTERNAL_NOTE, "root", hidden, hidden_email):
            assert secret not in raw, secret
        assert photo["blob"] not in raw and "33.58131" not in raw and staff_photo["id"] not in raw
    unknown = documented(tracking.get("/api/v1/reports/RC-2026-ZZZZZZZ"))
    refused = tracking.get(f"/api/v1/reports/{hidden}")
    assert refused.status_code == unknown.status_code == 404 and refused.json == unknown.json

    # The copies, publicly cacheable; never the original, a staff member's photo or an unconsented one.
    for path, name in (("", "display"), ("/thumb", "thumb")):
        copy = documented(tracking.get(f"/api/v1/reports/{shown}/photos/{photo['id']}{path}"))
        assert copy.status_code == 200 and copy.mimetype == "image/jpeg"
        assert copy.data == b"".join(blobs.read(db, photo["copies"][name]))
        assert copy.headers["Cache-Control"] == "public, max-age=3600"
        assert "Content-Disposition" not in copy.headers  # the photo's name is the citizen's
        again = tracking.get(copy.request.path, headers={"If-None-Match": copy.headers["ETag"]})
        assert again.status_code == 304
        for number, document in ((hidden, hidden_photo), (shown, staff_photo)):
            assert tracking.get(f"/api/v1/reports/{number}/photos/{document['id']}{path}").status_code == 404
    assert tracking.get(f"/api/v1/reports/{shown}/photos/{photo['blob']}").status_code == 404

    # Open311 links the consented complaint's photo, absolutely; the other's media_url stays null.
    requested = tracking.get(f"/open311/v2/requests/{shown}.json").json
    assert requested[0]["media_url"] == f"http://localhost/api/v1/reports/{shown}/photos/{photo['id']}"
    assert list(open311_validator("requests.json").iter_errors(requested)) == []
    assert tracking.get(f"/open311/v2/requests/{hidden}.json").json[0]["media_url"] is None

    # Anonymised, the consent is withdrawn: gone from the listing, the report and its photos.
    privacy.anonymise(db, shown, reason="retention")
    assert shown not in json.dumps(listed(tracking, district="maarif", category="cleanliness"))
    assert tracking.get(f"/api/v1/reports/{shown}").status_code == 404
    assert tracking.get(f"/api/v1/reports/{shown}/photos/{photo['id']}").status_code == 404


def test_the_filters_statuses_pages_and_box(db, tracking):
    category = f"t-{uuid.uuid4().hex[:8]}"
    inside = {"lat": 33.5901, "lon": -7.6301}
    numbers = {
        "new": record(db, category, days_ago=1, location=inside),
        "older": record(db, category, days_ago=2, district="maarif", location={"lat": 33.62, "lon": -7.58}),
        "answered": record(db, category, days_ago=3),
        "closed": record(db, category, days_ago=4),
        "unpublished": record(db, category, days_ago=0, publish=False, location=inside),
    }
    treatment.transition(db, ADMIN, numbers["answered"], {"to": "rejected", "reason": "Hors compétence"})
    for status in ("in_progress", "resolved", "closed"):
        treatment.transition(db, ADMIN, numbers["closed"], {"to": status})

    def shown(**query) -> list[str]:
        found = listed(tracking, category=category, **query)
        assert found["total"] == len(found["items"]) or "per_page" in query
        names = {number: name for name, number in numbers.items()}
        return [names[item["number"]] for item in found["items"]]

    assert shown() == ["new", "older", "answered", "closed"]  # newest first; never the unpublished
    assert shown(status="open") == ["new", "older"]
    assert shown(status="done") == ["answered", "closed"]
    assert shown(status="closed") == ["closed"] and shown(status="rejected") == ["answered"]
    assert shown(district="maarif") == ["older"]
    assert shown(district="maarif", status="done") == []
    assert shown(per_page=2) == ["new", "older"] and shown(per_page=2, page=2) == ["answered", "closed"]
    assert listed(tracking, category=category, per_page=2, page=3)["items"] == []
    assert listed(tracking, category=category, per_page=2)["total"] == 4
    # A box: the reports whose point is in it, of the same filters.
    assert shown(bbox="-7.64,33.58,-7.62,33.60") == ["new"]
    assert shown(bbox="-7.64,33.58,-7.62,33.60", status="done") == []
    assert shown(bbox="-7.64,33.58,-7.55,33.63", status="open") == ["new", "older"]
    assert listed(tracking, category=category, bbox="-7.64,33.58,-7.62,33.60")["total_capped"] is False

    for wrong in ({"status": "lost"}, {"page": "0"}, {"per_page": "500"}, {"bbox": "1,2,3"}, {"sort": "x"}):
        refused = documented(tracking.get("/api/v1/reports", query_string=wrong))
        assert refused.status_code == 400 and refused.json["error"]["code"] == "validation_error", wrong
    too_wide = tracking.get("/api/v1/reports", query_string={"bbox": "-8,33,-7,34"})
    assert too_wide.status_code == 400 and "bbox" in too_wide.json["error"]["fields"]


@pytest.fixture
def limited(monkeypatch):
    monkeypatch.setenv("RATE_REPORTS", "3/600")
    config.reload()
    yield
    monkeypatch.delenv("RATE_REPORTS")
    config.reload()


def test_listings_and_reports_are_limited_per_client_their_photos_are_not(db, tracking, limited):
    number = record(db, f"t-{uuid.uuid4().hex[:8]}")
    photo = add_photo(db, number)
    me, other = {"X-Forwarded-For": "10.31.0.1"}, {"X-Forwarded-For": "10.31.0.2"}
    asked = [
        tracking.get("/api/v1/reports", headers=me),
        tracking.get(f"/api/v1/reports/{number}", headers=me),
        tracking.get("/api/v1/reports/RC-2026-ZZZZZZZ", headers=me),  # a 404 counts too
        tracking.get("/api/v1/reports", headers=me),
    ]
    assert [a.status_code for a in asked] == [200, 200, 404, 429]
    assert (
        asked[-1].json["error"]["code"] == "too_many_requests" and int(asked[-1].headers["Retry-After"]) >= 1
    )
    assert tracking.get(f"/api/v1/reports/{number}/photos/{photo['id']}/thumb", headers=me).status_code == 200
    assert tracking.get("/api/v1/reports", headers=other).status_code == 200


def test_a_report_lists_the_older_answers_as_well_and_its_update_time(db, tracking):
    number = record(db, f"t-{uuid.uuid4().hex[:8]}", days_ago=10)
    treatment.transition(db, ADMIN, number, {"to": "acknowledged", "public_note": "Reçue."})
    treatment.transition(db, ADMIN, number, {"to": "in_progress"})
    treatment.transition(db, ADMIN, number, {"to": "resolved", "public_note": "Réparé."})
    report = tracking.get(f"/api/v1/reports/{number}").json
    assert [(a["status"], a["note"]) for a in report["answers"]] == [
        ("acknowledged", "Reçue."),
        ("resolved", "Réparé."),
    ]
    assert report["updated_at"] > report["submitted_at"]


def _plan(db, found: dict, sort: list | None = None) -> str:
    """Return the store's plan for a page of the filter (sorted, when given), and check it reads an index.

    FerretDB's SQLite plan names the index it searches and whether SQL alone answered the filter
    (`exact`); MongoDB's shows an index scan.
    """
    command = {"find": tracking_store.COMPLAINTS, "filter": found, "limit": Int64(21)}
    plan = repr(db.command("explain", {**command, **({"sort": dict(sort)} if sort else {})}))
    assert "USING INDEX" in plan or "IXSCAN" in plan, plan
    assert not re.search(r"detail=SCAN [^ ']+'", plan) and "COLLSCAN" not in plan, plan
    if "USING INDEX" in plan:
        assert "'exact': True" in plan, plan
    return plan


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"status": "open"},
        {"district": "anfa"},
        {"category": "roads"},
        {"district": "anfa", "category": "x"},
    ],
    ids=["everything", "a group of statuses", "a district", "a category", "a district and a category"],
)
def test_each_part_of_a_listing_is_read_in_order_from_an_index_of_the_published(db, query):
    tracking_store.ensure_indexes(db)
    where = {"district": query.get("district"), "category": query.get("category")}
    for part in reports_store.parts(statuses=rules.statuses_of(query.get("status")), **where):
        plan = _plan(db, part, tracking_store.NEWEST_FIRST)
        assert "publish_1" in plan
        assert "USE TEMP B-TREE" not in plan and "'SORT'" not in plan, plan  # in the index's order


def test_a_box_is_read_from_the_index_of_the_published_by_cell_and_a_districts_unplaced_are_counted_apart(db):
    tracking_store.ensure_indexes(db)
    cells = grid.cells(grid.parse_box("-7.60,33.56,-7.58,33.58"))
    for statuses in (None, rules.statuses_of("open")):
        [found] = reports_store.in_cells(cells, statuses=statuses, district=None, category=None)
        assert "publish_1_cell_1" in _plan(db, found, tracking_store.NEWEST_FIRST)
    # The staff's map counts a district's complaints without a point from the index of both.
    [unplaced] = queue_store.without_point([{"district": "anfa"}])
    assert "district_1_cell_1" in _plan(db, unplaced)
