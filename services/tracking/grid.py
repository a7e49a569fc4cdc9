"""Points on a map, pure: the box a map shows, the index's cells it covers, and points grouped on a grid.

The public reports take a box (`bbox`), read from the store by the cells of common/geo.py's grid
that it covers (`cells`); the staff's map groups the points of the queue's filters by the cells of a
coarser grid, whose side follows the map's zoom (`cell_degrees`), so that nearby points are drawn
as one marker that says how many it holds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from common import geo

# A box covering more of the index's cells than this is not read by its cells (a query naming that
# many would cost more than it saves): about 0.1° by 0.1°, 11 km by 9 km in Casablanca.
MAX_CELLS = 2500
ZOOMS = (0, 22)  # a web map's zoom levels, 0 the whole world on one 256-pixel tile
TILE_SHARE = 4  # a group's cell is a quarter of a tile's side: 64 pixels at any zoom
DECIMALS = 6  # about 10 cm: a mean position needs no more


@dataclass(frozen=True)
class Box:
    """A map's bounds in degrees: west to east, south to north, edges included."""

    west: float
    south: float
    east: float
    north: float

    def holds(self, location: dict | None) -> bool:
        """Return whether a point ({"lat", "lon"}) lies in the box (a complaint without one does not)."""
        if not location:
            return False
        return self.south <= location["lat"] <= self.north and self.west <= location["lon"] <= self.east


def parse_box(text: str) -> Box:
    """Return the box written `west,south,east,north`, or raise ValueError saying what is wrong.

    Degrees past ±180 of longitude or ±90 of latitude are taken as those limits.
    """
    parts = text.split(",")
    if len(parts) != 4:
        raise ValueError("Give bbox as west,south,east,north, in degrees.")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise ValueError("bbox holds four numbers: west,south,east,north, in degrees.") from None
    if not all(math.isfinite(value) for value in (west, south, east, north)):
        raise ValueError("bbox holds four finite numbers.")
    if west > east:
        raise ValueError("bbox's west and east are longitudes, west first.")
    if south > north:
        raise ValueError("bbox's south and north are latitudes, south first.")
    # A map showing the world more than once gives longitudes past ±180: the world is all there is.
    return Box(max(west, -180.0), max(south, -90.0), min(east, 180.0), min(north, 90.0))


def cells(box: Box) -> list[str] | None:
    """Return the index's cells (common/geo.py) that hold the box, or None when more than MAX_CELLS."""
    return geo.cells_between(box.south, box.west, box.north, box.east, MAX_CELLS)


def cell_degrees(zoom: int) -> float:
    """Return the side, in degrees, of a group's cell at a map's zoom: a quarter of a tile's side."""
    return 360 / 2**zoom / TILE_SHARE


def groups(points: Iterable[tuple[str, float, float]], size: float) -> list[dict]:
    """Return the points (number, lat, lon) grouped by the cell of `size` degrees each is in.

    A group says where its points are on average (`lat`, `lon`), how many it holds (`count`), the
    number of its complaint when it holds one (`number`), and the box of its points (`bounds`,
    west, south, east, north), which a map zooms to. Groups are in the order of their cells, south
    to north then west to east, so that an answer is the same whatever order the points came in.
    """
    found: dict[tuple[int, int], dict] = {}
    for number, lat, lon in points:
        key = (math.floor(lat / size), math.floor(lon / size))
        group = found.get(key)
        if group is None:
            bounds = [lon, lat, lon, lat]
            found[key] = {"count": 1, "lat": lat, "lon": lon, "number": number, "bounds": bounds}
            continue
        group["count"] += 1
        group["lat"] += lat
        group["lon"] += lon
        bounds = group["bounds"]
        bounds[:] = [min(bounds[0], lon), min(bounds[1], lat), max(bounds[2], lon), max(bounds[3], lat)]
    return [_shown(found[key]) for key in sorted(found)]


def _shown(group: dict) -> dict:
    count = group["count"]
    shown = {
        "lat": round(group["lat"] / count, DECIMALS),
        "lon": round(group["lon"] / count, DECIMALS),
        "count": count,
        "bounds": group["bounds"],
    }
    if count == 1:
        shown["number"] = group["number"]
    return shown
