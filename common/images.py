"""A photo's copies for showing it: a thumbnail and a display-size JPEG, upright and without metadata.

Pure functions, bytes in and bytes out; common/documents.py stores what they make. The copies keep
nothing of the original but its pixels: no EXIF (so no GPS position, camera or time), no ICC profile
(the pixels are converted to sRGB first), no comment. The position a phone wrote is read before,
with common/photos.py, and kept as data.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from common import photos

THUMB_SIDE = 320  # the longest side, in pixels: twice the 10rem the pages show it at
THUMB_BYTES = 30 * 1024
THUMB_QUALITIES = (80, 70, 60, 50, 40, 30, 20)  # tried in turn until the thumbnail fits THUMB_BYTES
DISPLAY_SIDE = 1280
DISPLAY_QUALITY = 82
# What a photo may be decoded to in memory: 24 megapixels, about 100 MB at 4 bytes a pixel. A JPEG
# decodes at 1/2, 1/4 or 1/8 of its size when its copies are smaller (Pillow's draft mode), so a
# phone's 48 or 108 megapixel photo fits; a PNG decodes whole. Pillow's own decompression-bomb
# limit (MAX_IMAGE_PIXELS, about 89 megapixels) bounds what is opened at all.
MAX_DECODED_PIXELS = 24_000_000


class Unreadable(ValueError):
    """The image cannot be made into copies: not an image Pillow reads, truncated, or too large."""


@dataclass(frozen=True)
class Copy:
    data: bytes  # a baseline or progressive JPEG
    width: int
    height: int


@dataclass(frozen=True)
class Copies:
    thumb: Copy
    display: Copy
    point: dict | None  # the GPS position {lat, lon} the original carried, if any


def copies(data: bytes) -> Copies:
    """Return a JPEG or PNG photo's thumbnail and display copy, and its GPS position; else Unreadable."""
    point = photos.gps_point(data)
    upright = _decoded(data)
    display = _fitted(upright, DISPLAY_SIDE)
    thumb = _fitted(display, THUMB_SIDE)
    return Copies(thumb=_small_jpeg(thumb), display=_jpeg(display, DISPLAY_QUALITY), point=point)


def _decoded(data: bytes):
    """Return the image upright, in sRGB, on white where it was transparent, with no metadata at all."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > Image.MAX_IMAGE_PIXELS:
                raise Unreadable(f"{image.width}x{image.height} pixels is too large to decode")
            if image.format == "JPEG":
                image.draft("RGB", (DISPLAY_SIDE, DISPLAY_SIDE))  # decode no larger than needed
            if image.width * image.height > MAX_DECODED_PIXELS:
                raise Unreadable(f"{image.width}x{image.height} pixels is too large to decode")
            image.load()
            upright = ImageOps.exif_transpose(image)
            return _flattened(_in_srgb(upright))
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a hostile file makes Pillow raise, it has no copies
        raise Unreadable(f"not a readable image: {type(exc).__name__}") from exc


def _in_srgb(image):
    """Return the image converted from its ICC profile to sRGB; as it is when it has none or a bad one."""
    from PIL import ImageCms

    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a profile littlecms refuses: the pixels as they are


def _flattened(image):
    """Return a new RGB image of the pixels alone (white under transparency): no info, EXIF, ICC, comment."""
    from PIL import Image

    if image.mode in ("P", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        image = image.convert("RGBA")
    clean = Image.new("RGB", image.size, "white")
    if image.mode == "RGBA":
        clean.paste(image, mask=image.getchannel("A"))
    else:
        clean.paste(image.convert("RGB"))
    return clean


def _fitted(image, side: int):
    """Return a copy at most `side` pixels on its longest side; never larger than the image."""
    from PIL import Image

    fitted = image.copy()
    fitted.thumbnail((side, side), Image.Resampling.LANCZOS)
    return fitted


def _jpeg(image, quality: int) -> Copy:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return Copy(out.getvalue(), image.width, image.height)


def _small_jpeg(image) -> Copy:
    """Return the image as a JPEG of at most THUMB_BYTES: the best quality that fits, else smaller."""
    while True:
        for quality in THUMB_QUALITIES:
            made = _jpeg(image, quality)
            if len(made.data) <= THUMB_BYTES:
                return made
        image = _fitted(image, max(image.size) * 3 // 4)  # noise no quality compresses enough
