"""Points on the Earth: the distance between two, and the grid cells that index them.

Plain arithmetic that more than one service needs (intake places a complaint by its point,
tracking finds the complaints near one); what a district or a duplicate is stays in the services.
"""

from __future__ import annotations

import math

EARTH_KM = 6371.0
# The grid that indexes points: cells of CELL_DEGREES of latitude by as many of longitude
# (about 220 m by 185 m in Casablanca). A point's neighbours within a radius are in the cells
# around its own, found by equality on an index rather than by reading every point.
CELL_DEGREES = 0.002
KM_PER_DEGREE = math.pi * EARTH_KM / 180


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two points (haversine), in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(min(1.0, a)))


def _index(degrees: float) -> int:
    return math.floor(degrees / CELL_DEGREES)


def cell(lat: float, lon: float) -> str:
    """Return the name of the grid cell a point is in."""
    return f"{_index(lat)}:{_index(lon)}"


def cells_around(lat: float, lon: float, radius_km: float) -> list[str]:
    """Return the cells holding every point within radius_km of this one (its own first)."""
    rows = math.ceil(radius_km / (CELL_DEGREES * KM_PER_DEGREE))
    shrink = max(math.cos(math.radians(min(abs(lat) + rows * CELL_DEGREES, 89.0))), 0.01)
    columns = min(math.ceil(radius_km / (CELL_DEGREES * KM_PER_DEGREE * shrink)), 50)
    row, column = _index(lat), _index(lon)
    around = [
        f"{row + dr}:{column + dc}" for dr in range(-rows, rows + 1) for dc in range(-columns, columns + 1)
    ]
    own = f"{row}:{column}"
    return [own, *(c for c in around if c != own)]


def cells_between(south: float, west: float, north: float, east: float, limit: int) -> list[str] | None:
    """Return the cells holding every point of a box (its edges included), or None when more than `limit`."""
    rows = range(_index(south), _index(north) + 1)
    columns = range(_index(west), _index(east) + 1)
    if len(rows) * len(columns) > limit:
        return None
    return [f"{row}:{column}" for row in rows for column in columns]
