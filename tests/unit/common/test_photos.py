"""A photo's point: the GPS position a phone writes in a JPEG's EXIF, read as FixMyStreet reads it."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from common.photos import first_point, gps_point
from common.uploads import JPEG, PNG
from tests.support import gps_jpeg


def jpeg_with_gps(gps: dict) -> bytes:
    exif = Image.Exif()
    exif[0x8825] = gps
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.parametrize(
    ("lat", "lon"), [(33.5731, -7.5898), (-33.8688, 151.2093), (48.8566, 2.3522), (40.7128, -74.006)]
)
def test_a_phone_photo_gives_its_point_with_the_hemispheres_signs(lat, lon):
    point = gps_point(gps_jpeg(lat, lon))
    assert point == {"lat": pytest.approx(lat, abs=1e-6), "lon": pytest.approx(lon, abs=1e-6)}


def test_degrees_minutes_and_seconds_become_decimal_degrees():
    gps = {
        1: "N",
        2: (IFDRational(33), IFDRational(34), IFDRational(2316, 100)),
        3: "W",
        4: (IFDRational(7), IFDRational(35), IFDRational(2328, 100)),
    }
    assert gps_point(jpeg_with_gps(gps)) == {"lat": 33.5731, "lon": -7.5898}


def test_a_photo_without_gps_or_without_exif_has_no_point():
    assert gps_point(gps_jpeg()) is None
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG")
    assert gps_point(out.getvalue()) is None


@pytest.mark.parametrize(
    "gps",
    [
        {1: "N", 2: (IFDRational(33), IFDRational(34), IFDRational(0))},  # no longitude
        {1: "N", 2: (IFDRational(95), IFDRational(0), IFDRational(0)), 3: "E", 4: (1, 0, 0)},  # lat > 90
        {1: "N", 2: (IFDRational(0), IFDRational(0), IFDRational(0)), 3: "E", 4: (0, 0, 0)},  # no fix
        {1: "N", 2: (IFDRational(1, 0), 0, 0), 3: "E", 4: (1, 0, 0)},  # a division by zero
        {1: "N", 2: IFDRational(33), 3: "E", 4: (1, 0, 0)},  # one number, not three
    ],
)
def test_a_broken_or_impossible_position_is_no_point_and_no_error(gps):
    assert gps_point(jpeg_with_gps(gps)) is None


def test_what_is_not_an_image_has_no_point():
    assert gps_point(b"\xff\xd8\xff\xe1 not really") is None
    assert gps_point(b"") is None


def test_the_first_jpeg_that_has_a_point_gives_it_pdfs_and_pngs_are_not_read():
    documents = [
        (b"%PDF-1.4 ...%%EOF", "application/pdf", "a.pdf"),
        (gps_jpeg(), JPEG, "no-gps.jpg"),
        (gps_jpeg(33.6, -7.6), JPEG, "here.jpg"),
        (gps_jpeg(34.0, -6.8), JPEG, "there.jpg"),
    ]
    assert first_point(documents) == {"lat": pytest.approx(33.6), "lon": pytest.approx(-7.6)}
    assert first_point([(gps_jpeg(33.6, -7.6), PNG, "x.png")]) is None
    assert first_point([]) is None
