"""A complaint's photos on the citizen's and the staff's pages: thumbnails opening the larger copy."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from markupsafe import escape

from common import uploads
from common.translations import texts
from gateway.web.upstream import Answer
from services.tracking import views
from tests.unit.gateway.answers import CATALOG

MESSAGES = {lang: texts(lang, "pages", "common") for lang in ("fr", "ar", "en")}
NUMBER = "RC-2026-7K3P9QX"
AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PHOTO = {
    "id": "9f1d2c3b4a5e6f708192a3b4c5d6e7f8",
    "blob": "a" * 64,
    "filename": "trou.jpg",
    "content_type": "image/jpeg",
    "size": 2_400_000,
    "by": "citizen",
    "added_at": AT,
    "copies": {"thumb": "b" * 64, "display": "c" * 64},
    "copy_sizes": {"thumb": {"width": 240, "height": 320}, "display": {"width": 960, "height": 1280}},
    "point": {"lat": 33.59, "lon": -7.63},
}
PDF = {
    "id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    "blob": "d" * 64,
    "filename": "plan.pdf",
    "content_type": "application/pdf",
    "size": 80_000,
    "by": "staff",
    "added_at": AT,
}
COMPLAINT = {
    "_id": NUMBER,
    "kind": "complaint",
    "category": "roads",
    "district": "anfa",
    "subject": "Trou",
    "description": "Un trou devant l'école.",
    "status": "in_progress",
    "citizen": {"name": "Amina", "email": "amina@example.ma", "language": "fr"},
    "department": "roads",
    "submitted_at": AT,
    "updated_at": AT,
    "ack_due": AT + timedelta(days=15),
    "answer_due": datetime.now(UTC) + timedelta(days=30),
    "timeline": [{"at": AT, "status": "received", "note": None, "by": "citizen", "event_id": None}],
    "documents": [PHOTO, PDF],
}
COPY = b"\xff\xd8\xff\xe0 a JPEG copy"
# The staff's page names the departments of the categories.
STAFF_CATALOG = {**CATALOG, "categories": [{**c, "department": "roads"} for c in CATALOG["categories"]]}


class Upstream:
    """The services as the pages call them: the complaint, and a photo's copy as a JPEG."""

    def __init__(self):
        self.calls: list[str] = []

    def __call__(self, service, method, path, **kwargs):
        self.calls.append(path)
        if path == f"/api/v1/complaints/{NUMBER}":
            return Answer(200, views.public_view(COMPLAINT))
        if path == f"/api/v1/staff/complaints/{NUMBER}":
            return Answer(200, views.staff_view(COMPLAINT, role="agent"))
        if path.endswith(("/thumb", "/display")):
            return Answer(200, None, CopyResponse())
        if path.endswith("/assignees") or path.startswith("/api/v1/staff/answers"):
            return Answer(200, {"items": []})
        return Answer(200, STAFF_CATALOG)


class CopyResponse:
    """What the API answers for a copy: a JPEG, cached privately (requests' response, streamed)."""

    headers = {
        "Content-Type": "image/jpeg",
        "Content-Length": str(len(COPY)),
        "Content-Disposition": 'inline; filename="trou-thumb.jpg"',
        "Cache-Control": "private, max-age=31536000, immutable",
        "ETag": '"' + "b" * 64 + '"',
    }

    def iter_content(self, _size):
        yield COPY


@pytest.fixture
def upstream(monkeypatch):
    from gateway.web import citizen, shared, staff

    fake = Upstream()
    for module in (citizen, shared, staff):
        monkeypatch.setattr(module, "call", fake)
    return fake


@pytest.fixture
def pages(upstream):
    from gateway.app import create_app

    client = create_app({"TESTING": True}).test_client()
    with client.session_transaction() as session:
        session["tokens"] = {NUMBER: "citizen-token"}
        session["staff"] = {"token": "staff-token", "role": "agent", "districts": ["anfa"], "username": "k"}
    return client


def thumbnails(html: str) -> list[tuple[str, str]]:
    """Return each thumbnail of the page: its link and its <img>."""
    return re.findall(r'<a class="thumb" href="([^"]+)"><img ([^>]+)></a>', html)


@pytest.mark.parametrize(
    ("page", "prefix"), [("/complaints", "/complaints"), ("/staff/complaints", "/staff/complaints")]
)
@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_a_photo_shows_as_a_thumbnail_opening_its_display_copy_and_a_pdf_as_before(pages, page, prefix, lang):
    html = pages.get(f"{page}/{NUMBER}?lang={lang}").get_data(as_text=True)
    [(link, image)] = thumbnails(html)  # the photo's; the PDF has none
    documents = f"{prefix}/{NUMBER}/documents"
    assert link == f"{documents}/{PHOTO['id']}/display"
    assert f'src="{documents}/{PHOTO["id"]}/thumb"' in image
    assert 'width="240" height="320"' in image and 'loading="lazy"' in image
    alt = escape(MESSAGES[lang]["complaint.photo.open"].format(filename="trou.jpg"))
    assert f'alt="{alt}"' in image
    # Both documents stay files to download, as they were sent.
    assert f'href="{documents}/{PHOTO["id"]}">trou.jpg' in html.replace(' dir="auto"', "")
    assert f'href="{documents}/{PDF["id"]}">plan.pdf' in html.replace(' dir="auto"', "")


@pytest.mark.parametrize(
    ("page", "api"),
    [("/complaints", "/api/v1/complaints"), ("/staff/complaints", "/api/v1/staff/complaints")],
)
@pytest.mark.parametrize("name", ["thumb", "display"])
def test_the_copies_are_passed_through_as_jpegs_the_browser_may_keep(pages, upstream, page, api, name):
    answer = pages.get(f"{page}/{NUMBER}/documents/{PHOTO['id']}/{name}")
    assert answer.status_code == 200 and answer.data == COPY
    assert answer.mimetype == "image/jpeg" and answer.headers["Content-Disposition"].startswith("inline")
    assert answer.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert upstream.calls[-1] == f"{api}/{NUMBER}/documents/{PHOTO['id']}/{name}"


def test_the_documents_view_gives_a_photos_copies_by_size_never_where_they_are_kept():
    [photo, pdf] = views.public_view(COMPLAINT)["documents"]
    assert photo["copies"] == PHOTO["copy_sizes"] and photo["point"] == PHOTO["point"]
    assert "blob" not in repr(photo) and "b" * 64 not in repr(photo)
    assert "copies" not in pdf and "point" not in pdf


def heic_refusal(part: str) -> Answer:
    """Return the API's refusal of an HEIC photo sent in `part`."""
    fields = {part: [uploads.HEIC_REFUSED]}
    return Answer(415, {"error": {"code": "unsupported_media_type", "message": "HEIC…", "fields": fields}})


HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"


def csrf(pages, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', pages.get(path).get_data(as_text=True)).group(1)


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_an_heic_photo_added_later_is_refused_saying_how_to_send_it_as_a_jpeg(
    pages, upstream, monkeypatch, lang
):
    from gateway.web import citizen

    monkeypatch.setattr(
        citizen, "call", lambda s, m, p, **k: heic_refusal("file") if m == "POST" else upstream(s, m, p, **k)
    )
    token = csrf(pages, f"/complaints/{NUMBER}?lang={lang}")
    sent = pages.post(
        f"/complaints/{NUMBER}/documents",
        data={"csrf_token": token, "file": (BytesIO(HEIC), "IMG_0001.HEIC")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 415
    assert str(escape(MESSAGES[lang]["error.heic"])) in sent.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_the_filing_form_says_the_same_of_an_heic_photo(pages, upstream, monkeypatch, lang):
    from gateway.web import filing

    def call(service, method, path, **kwargs):
        return heic_refusal("documents") if method == "POST" else upstream(service, method, path, **kwargs)

    monkeypatch.setattr(filing, "call", call)
    form = {
        "csrf_token": csrf(pages, f"/?lang={lang}"),
        "kind": "complaint",
        "category": "roads",
        "district": "anfa",
        "subject": "Trou",
        "description": "Un trou devant l'école.",
        "email": "amina@example.ma",
        "consent": "yes",
        "documents": (BytesIO(HEIC), "IMG_0001.HEIC"),
    }
    sent = pages.post("/", data=form, content_type="multipart/form-data")
    assert sent.status_code == 400
    assert str(escape(MESSAGES[lang]["error.heic"])) in sent.get_data(as_text=True)
