"""A photo's copies: small, upright, without metadata; its GPS position kept as data; bombs refused."""

from __future__ import annotations

import io
import os
import time

import pytest
from PIL import Image, ImageCms

from common import images
from tests.support import gps_jpeg


def jpeg(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def noisy_photo(width: int, height: int, grain: int = 8) -> bytes:
    """Return a JPEG of random grains `grain` pixels wide: detail that survives being made smaller."""
    small = Image.frombytes(
        "RGB", (width // grain, height // grain), os.urandom(width * height * 3 // grain**2)
    )
    return jpeg(small.resize((width, height), Image.Resampling.NEAREST), quality=95)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_noisy_4000_by_3000_photo_gives_a_thumbnail_of_at_most_30_kb_and_a_display_copy():
    made = images.copies(noisy_photo(4000, 3000))
    assert len(made.thumb.data) <= 30 * 1024
    assert (made.thumb.width, made.thumb.height) == (320, 240)
    assert (made.display.width, made.display.height) == (1280, 960)
    for copy in (made.thumb, made.display):
        image = opened(copy.data)
        assert image.format == "JPEG" and image.mode == "RGB"
        assert image.size == (copy.width, copy.height)


def test_pure_noise_at_the_thumbnails_own_size_still_fits_30_kb():
    noise = Image.frombytes("RGB", (320, 320), os.urandom(320 * 320 * 3))
    made = images.copies(png(noise))
    assert len(made.thumb.data) <= 30 * 1024 and max(made.thumb.width, made.thumb.height) <= 320


def test_exif_orientation_6_gives_upright_copies_with_the_sides_swapped():
    exif = Image.Exif()
    exif[0x0112] = 6  # as a phone held upright writes it: the pixels are stored turned
    stored = Image.new("RGB", (800, 600), "white")
    stored.paste((255, 0, 0), (0, 0, 400, 600))  # the stored left half red: the top once turned
    made = images.copies(jpeg(stored, exif=exif))
    assert (made.display.width, made.display.height) == (600, 800)
    display = opened(made.display.data)
    assert display.size == (600, 800)
    top, bottom = display.getpixel((300, 100)), display.getpixel((300, 700))
    assert top[0] > 200 and top[1] < 60 and min(bottom) > 200


def test_the_copies_carry_no_exif_no_icc_profile_and_no_comment():
    exif = Image.Exif()
    exif[0x0110] = "Phone"
    exif[0x8825] = {1: "N", 2: (33, 34, 0), 3: "W", 4: (7, 35, 0)}
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    original = jpeg(
        Image.new("RGB", (640, 480), (90, 120, 200)), exif=exif, icc_profile=profile, comment=b"me"
    )
    made = images.copies(original)
    for copy in (made.thumb, made.display):
        image = opened(copy.data)
        assert not image.getexif() and "exif" not in image.info
        assert "icc_profile" not in image.info and "comment" not in image.info
        assert b"Exif" not in copy.data and b"Phone" not in copy.data


def test_the_gps_position_is_kept_as_a_point_and_none_without_one():
    assert images.copies(gps_jpeg(33.5731, -7.5898)).point == {
        "lat": pytest.approx(33.5731, abs=1e-6),
        "lon": pytest.approx(-7.5898, abs=1e-6),
    }
    assert images.copies(gps_jpeg()).point is None


def test_a_png_with_alpha_is_laid_on_white():
    image = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    image.paste((0, 128, 0, 255), (0, 0, 200, 200))  # the left half opaque green, the right clear
    made = images.copies(png(image))
    display = opened(made.display.data)
    assert display.mode == "RGB" and display.size == (400, 200)  # never made larger
    left, right = display.getpixel((50, 100)), display.getpixel((350, 100))
    assert left[1] > 100 and left[0] < 40 and min(right) > 240


def test_a_small_photo_is_never_made_larger():
    made = images.copies(jpeg(Image.new("RGB", (100, 60), "blue")))
    assert (made.thumb.width, made.thumb.height) == (100, 60) == (made.display.width, made.display.height)


def test_a_decompression_bomb_is_refused_quickly_without_decoding_it():
    bomb = Image.new("1", (30_000, 30_000))  # 900 megapixels, a few hundred kilobytes as a PNG
    started = time.monotonic()
    with pytest.raises(images.Unreadable):
        images.copies(png(bomb))
    assert time.monotonic() - started < 5


def test_a_png_too_large_to_decode_whole_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_DECODED_PIXELS", 2000 * 2000)
    with pytest.raises(images.Unreadable):
        images.copies(png(Image.new("RGB", (2100, 2100))))
    # A JPEG of as many pixels or more is decoded at half its size, no larger than its copies need.
    assert images.copies(jpeg(Image.new("RGB", (2600, 2600)))).display.width == 1280


@pytest.mark.parametrize(
    "data", [b"", b"not an image", b"\xff\xd8\xff" + b"\x00" * 100, noisy_photo(64, 64)[:200]]
)
def test_what_is_not_a_readable_image_is_refused_cleanly(data):
    with pytest.raises(images.Unreadable):
        images.copies(data)
