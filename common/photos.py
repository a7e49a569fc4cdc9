"""The point a phone wrote into a photo: the GPS position in a JPEG's EXIF, as FixMyStreet reads it.

Intake places a complaint by it; the gateway's form looks for complaints already reported there
before filing. Reading it is the file's format, not a rule: both read it the same way.
"""

from __future__ import annotations

import io
import math
from typing import BinaryIO

from common.uploads import JPEG

GPS_IFD = 0x8825
LATITUDE_REF, LATITUDE, LONGITUDE_REF, LONGITUDE = 1, 2, 3, 4


def gps_point(data: bytes | BinaryIO) -> dict | None:
    """Return the photo's position {lat, lon} from its EXIF, or None when it has none (or a bad one).

    A JPEG without EXIF, with GPS tags missing or malformed, or with an impossible position, gives
    None: a photo's point is a convenience, never a reason to refuse it.
    """
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data) if isinstance(data, bytes) else data) as image:
            gps = image.getexif().get_ifd(GPS_IFD)
            lat = _degrees(gps.get(LATITUDE), gps.get(LATITUDE_REF), "S")
            lon = _degrees(gps.get(LONGITUDE), gps.get(LONGITUDE_REF), "W")
    except Exception:  # noqa: BLE001 - whatever a hostile EXIF makes Pillow raise, the photo has no point
        return None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:  # what cameras without a fix write
        return None
    return {"lat": round(lat, 7), "lon": round(lon, 7)}


def _degrees(value, ref, negative: str) -> float | None:
    """Return degrees, minutes and seconds (three rationals) as signed decimal degrees."""
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    d, m, s = (float(part) for part in value)
    degrees = d + m / 60 + s / 3600
    if not math.isfinite(degrees):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    return -degrees if str(ref or "").strip().upper() == negative else degrees


def first_point(documents: list[tuple[bytes, str, str]]) -> dict | None:
    """Return the position of the first JPEG among checked documents that carries one."""
    for content, content_type, _name in documents:
        if content_type == JPEG:
            point = gps_point(content)
            if point is not None:
                return point
    return None
