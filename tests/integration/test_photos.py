"""Photos on the real store and broker: copies made at submission and later, shown to citizen and staff."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from common import blobs, uploads
from services.intake import store as intake_store
from services.tracking import accounts, handlers, privacy, staff_store
from services.tracking import store as tracking_store
from tests.integration.staff import make_member, sign_in
from tests.support import complaint_body

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
EMAIL = "amina@example.ma"


def phone_photo(width: int = 800, height: int = 600) -> bytes:
    """Return a JPEG as a phone held upright writes it: turned pixels, orientation 6, GPS, camera."""
    exif = Image.Exif()
    exif[0x0110] = "PhoneModel"
    exif[0x0112] = 6
    exif[0x8825] = {
        1: "N",
        2: (IFDRational(33), IFDRational(35), IFDRational(4200, 100)),
        3: "W",
        4: (IFDRational(7), IFDRational(37), IFDRational(5800, 100)),
    }
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 90, 40)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.fixture
def filed(apps, listener):
    """A complaint filed through intake with a phone's photo and a PDF, recorded by tracking from its
    complaint.submitted as tracking's worker records it; its number and the citizen's headers."""
    submitted = listener("complaint.submitted")
    files = [(io.BytesIO(phone_photo()), "IMG_0042.jpg"), (io.BytesIO(PDF), "plan.pdf")]
    answer = apps["intake"].post(
        "/api/v1/complaints",
        data={"complaint": json.dumps(complaint_body()), "documents": files},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 201, answer.json
    number = answer.json["number"]
    [event] = [e for e in submitted(1) if e["subject"] == number]
    handlers.on_submitted(event)
    tracked = apps["tracking"].post("/api/v1/tracking", json={"number": number, "email": EMAIL})
    assert tracked.status_code == 200, tracked.json
    return number, {"Authorization": f"Bearer {tracked.json['access_token']}"}


def test_a_photo_sent_with_the_submission_has_copies_upright_and_without_exif(apps, db, filed):
    number, citizen = filed
    view = apps["tracking"].get(f"/api/v1/complaints/{number}", headers=citizen).json
    photo, pdf = view["documents"]
    assert photo["copies"] == {
        "thumb": {"width": 240, "height": 320},  # turned upright: the sides swapped
        "display": {"width": 600, "height": 800},  # never made larger than the photo
    }
    assert photo["point"] == {"lat": pytest.approx(33.595, abs=1e-4), "lon": pytest.approx(-7.6328, abs=1e-4)}
    assert "copies" not in pdf and "point" not in pdf

    documents = f"/api/v1/complaints/{number}/documents"
    for name, size in (("thumb", (240, 320)), ("display", (600, 800))):
        copy = apps["tracking"].get(f"{documents}/{photo['id']}/{name}", headers=citizen)
        assert copy.status_code == 200 and copy.mimetype == "image/jpeg"
        assert copy.headers["Cache-Control"] == "private, max-age=31536000, immutable"
        image = opened(copy.data)
        assert image.size == size and not image.getexif() and b"PhoneModel" not in copy.data
        again = apps["tracking"].get(
            f"{documents}/{photo['id']}/{name}", headers={**citizen, "If-None-Match": copy.headers["ETag"]}
        )
        assert again.status_code == 304
    assert len(apps["tracking"].get(f"{documents}/{photo['id']}/thumb", headers=citizen).data) <= 30 * 1024

    original = apps["tracking"].get(f"{documents}/{photo['id']}", headers=citizen)
    assert original.data == phone_photo() and original.headers["Cache-Control"] == "private, no-store"
    assert apps["tracking"].get(f"{documents}/{pdf['id']}/thumb", headers=citizen).status_code == 404
    assert apps["tracking"].get(f"{documents}/{pdf['id']}", headers=citizen).data == PDF
    assert apps["tracking"].get(f"{documents}/{photo['id']}/thumb").status_code == 401

    # The copies travelled with complaint.submitted: both services keep the same blob keys.
    kept = tracking_store.find_by_number(db, number)["documents"][0]
    filed_in_intake = db[intake_store.COMPLAINTS].find_one({"_id": number})["documents"][0]
    assert kept["copies"] == filed_in_intake["copies"]
    assert blobs.head(db, kept["copies"]["display"])["content_type"] == "image/jpeg"


def test_photos_added_later_by_citizen_and_staff_get_copies_that_staff_are_shown(apps, db, filed):
    number, citizen = filed
    added = apps["tracking"].post(
        f"/api/v1/complaints/{number}/documents",
        data={"file": (io.BytesIO(phone_photo(1600, 1200)), "later.jpg")},
        content_type="multipart/form-data",
        headers=citizen,
    )
    assert added.status_code == 201, added.json
    assert added.json["copies"]["display"] == {"width": 960, "height": 1280}
    supervisor = sign_in(apps["tracking"], make_member(db, "supervisor"))
    png = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 0, 0, 0)).save(png, "PNG")
    by_staff = apps["tracking"].post(
        f"/api/v1/staff/complaints/{number}/documents",
        data={"file": (io.BytesIO(png.getvalue()), "plan.png")},
        content_type="multipart/form-data",
        headers=supervisor,
    )
    assert by_staff.status_code == 201 and by_staff.json["copies"]["thumb"] == {"width": 300, "height": 200}
    assert "point" not in by_staff.json

    documents = f"/api/v1/staff/complaints/{number}/documents"
    for document in (added.json, by_staff.json):
        for name in ("thumb", "display"):
            copy = apps["tracking"].get(f"{documents}/{document['id']}/{name}", headers=supervisor)
            assert copy.status_code == 200 and copy.mimetype == "image/jpeg"
            assert not opened(copy.data).getexif()
    other_district = sign_in(apps["tracking"], make_member_elsewhere(db))
    assert (
        apps["tracking"].get(f"{documents}/{added.json['id']}/thumb", headers=other_district).status_code
        == 404
    )

    audit = apps["tracking"].get(f"/api/v1/staff/complaints/{number}/audit", headers=supervisor).json["items"]
    reads = [e for e in audit if e["action"] == "document_read"]
    # Each display copy opened is recorded, as a download; the thumbnails, shown on every read, are not.
    assert sorted(e["document"] for e in reads) == sorted([added.json["id"], by_staff.json["id"]])
    assert all(e["copy"] == "display" for e in reads)


def make_member_elsewhere(db) -> str:
    """Return the username of an agent of another district than the complaint's."""
    username = f"m{uuid.uuid4().hex[:8]}"
    account = accounts._account(
        username=username,
        password="une-phrase-assez-longue",
        role="agent",
        districts=["sidi-moumen"],
        created_by="test",
    )
    staff_store.create_staff(db, account, [])
    return username


def test_an_heic_photo_is_refused_saying_how_to_send_a_jpeg(apps, filed):
    number, citizen = filed
    refused = apps["tracking"].post(
        f"/api/v1/complaints/{number}/documents",
        data={"file": (io.BytesIO(HEIC), "IMG_0001.HEIC")},
        content_type="multipart/form-data",
        headers=citizen,
    )
    assert refused.status_code == 415
    error = refused.json["error"]
    assert error["code"] == "unsupported_media_type" and error["fields"] == {"file": [uploads.HEIC_REFUSED]}
    assert all(words in error["message"] for words in ("HEIC", "JPEG", "Most Compatible"))
    submission = apps["intake"].post(
        "/api/v1/complaints",
        data={"complaint": json.dumps(complaint_body()), "documents": [(io.BytesIO(HEIC), "IMG_0001.HEIC")]},
        content_type="multipart/form-data",
    )
    assert submission.status_code == 415
    assert submission.json["error"]["fields"] == {"documents": [uploads.HEIC_REFUSED]}


def test_anonymising_removes_the_photos_points_and_keeps_their_copies(db, filed):
    number, _citizen = filed
    privacy.anonymise(db, number, reason="request")
    intake_store.anonymise(db, number)  # on complaint.anonymised, as intake's worker does
    for kept in (tracking_store.find_by_number(db, number), intake_store.find_complaint(db, number)):
        photo, pdf = kept["documents"]
        assert "point" not in photo and set(photo["copies"]) == {"thumb", "display"}
        assert pdf["filename"] == "plan.pdf"
