"""A district's boundary: a GeoJSON Polygon or MultiPolygon, checked, kept as text, and asked for points.

The store keeps a boundary as its GeoJSON text: FerretDB 1.x refuses nested arrays in a document,
and intake reads the boundaries to place points, never queries them. shapely is imported on first
use (about 25 MB with numpy): only the processes of a city whose districts have boundaries pay it.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any

TYPES = ("Polygon", "MultiPolygon")
MAX_POSITIONS = 50_000  # a city's district drawn to a metre has a few thousand


def problem(boundary: Any) -> str | None:
    """Return what is wrong with a GeoJSON boundary, in words for the one who drew it, or None."""
    if not isinstance(boundary, dict) or boundary.get("type") not in TYPES:
        return "A boundary is a GeoJSON object of type Polygon or MultiPolygon."
    if set(boundary) - {"type", "coordinates", "bbox"}:
        return "A boundary has only `type` and `coordinates` (and an optional `bbox`)."
    coordinates = boundary.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        return "`coordinates` is empty."
    polygons = [coordinates] if boundary["type"] == "Polygon" else coordinates
    positions = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return "A polygon is a list of rings: its outline, then its holes."
        for ring in polygon:
            wrong = _ring_problem(ring)
            if wrong:
                return wrong
            positions += len(ring)
    if positions > MAX_POSITIONS:
        return f"A boundary has at most {MAX_POSITIONS:,} positions; this one has {positions:,}."
    import shapely

    reason = shapely.is_valid_reason(_shape(json.dumps(boundary)))
    return None if reason == "Valid Geometry" else f"The boundary is not a valid shape: {reason}."


def _ring_problem(ring: Any) -> str | None:
    if not isinstance(ring, list) or len(ring) < 4:
        return "A ring has at least four positions, its last the same as its first."
    for position in ring:
        if not (isinstance(position, list) and len(position) in (2, 3)):
            return "A position is [longitude, latitude]."
        if not all(
            isinstance(n, int | float) and not isinstance(n, bool) and math.isfinite(n) for n in position
        ):
            return "A position's longitude and latitude are numbers."
        if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
            return f"{position[:2]} is not [longitude, latitude]: longitude first, then latitude."
    if ring[0] != ring[-1]:
        return "A ring ends where it starts: its last position is its first."
    return None


def encode(boundary: dict | None) -> str | None:
    """Return a checked boundary as the text the store keeps."""
    return None if boundary is None else json.dumps(boundary, separators=(",", ":"))


def decode(text: str | None) -> dict | None:
    """Return a kept boundary as GeoJSON."""
    return None if text is None else json.loads(text)


def holds(text: str, lat: float, lon: float) -> bool:
    """Return whether a kept boundary holds a point: inside it or on its edge, not in a hole."""
    import shapely

    return _prepared(text).covers(shapely.Point(lon, lat))


@lru_cache(maxsize=256)
def _shape(text: str):
    from shapely.geometry import shape

    return shape(json.loads(text))


@lru_cache(maxsize=256)
def _prepared(text: str):
    import shapely

    geometry = _shape(text)
    shapely.prepare(geometry)
    return geometry
