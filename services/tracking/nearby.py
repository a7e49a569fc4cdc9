"""Complaints already reported: the open ones of a category near a point or at the same address.

A citizen about to file sees them and may follow one instead. Each listing is answered from an
index: a point's neighbours from the grid cells around it (common/geo.py), an address from its
folded words in its district; then the distance is measured on the few found.

Anyone may ask, without an account, so the listing says where a complaint is only as precisely as
its citizen allowed (`publish`, the consent Open311 follows for the address and the point):

- Published: its exact distance in metres, and `same_address` when found by the address.
- Unpublished: it is placed at the centre of its square of a grid of SQUARE_DEGREES (about 111 m by
  93 m here), for whether it is within RADIUS_KM as for its distance, given rounded up to STEP_M
  (50, 100 or 150 m, `approximate`). Rounding alone would not do: distances from many points still
  trilaterate, and whether a complaint is listed at all is an oracle whose edge, swept along a line,
  gives the exact point away. Measured from the square's centre, every answer about a complaint is
  the same for any point of its square: nothing finer than the square can be learnt, whatever the
  questions (tests/integration/test_nearby_privacy.py). A citizen standing at the place is within
  80 m of the centre, so still sees it reported.
- Unpublished and found by the address alone: not listed. Being listed for an address query is
  itself the confirmation, with or without `same_address`, so a right guess of the address must be
  answered as a wrong one; one found by its point is listed with `same_address` false. An
  unpublished complaint with an address but no point is then found by no one: the price of not
  confirming addresses to strangers.

RATE_NEARBY (common/ratelimit.py) bounds how many listings a client asks.
"""

from __future__ import annotations

import math

from pymongo.database import Database

from common import geo
from services.tracking import nearby_store, search
from services.tracking.rules import published
from services.tracking.views import time_text

RADIUS_KM = 0.15  # "near": within 150 m
LIMIT = 10  # at most this many are shown
# An unpublished complaint's square: half the index's cell each way, so that a square lies inside
# the cell its points are indexed by and its centre is found by the cells around a query point.
SQUARE_DEGREES = geo.CELL_DEGREES / 2
STEP_M = 50  # an unpublished complaint's distance is rounded up to this


def address_key(address: str | None) -> str | None:
    """Return an address as compared: its words folded (case, accents, diacritics), in order."""
    key = " ".join(search.words(address))
    return key[:500] or None


def keys(location: dict | None, address: str | None) -> dict:
    """Return the fields a complaint is found by: its point's cell and its folded address."""
    cell = geo.cell(location["lat"], location["lon"]) if location else None
    return {"cell": cell, "address_key": address_key(address)}


def _square(degrees: float) -> float:
    cell = math.floor(degrees / geo.CELL_DEGREES)  # the index's cell (common/geo.py), then its half
    half = min(1, max(0, math.floor((degrees / geo.CELL_DEGREES - cell) * 2)))
    return (cell + (0.25, 0.75)[half]) * geo.CELL_DEGREES


def square_centre(lat: float, lon: float) -> tuple[float, float]:
    """Return the centre of the square a point is in: where an unpublished complaint is said to be."""
    return _square(lat), _square(lon)


def approximate_m(km: float) -> int:
    """Return a distance as an unpublished complaint's is given: in metres, rounded up to STEP_M."""
    return max(1, math.ceil(km * 1000 / STEP_M)) * STEP_M


def _distance_m(complaint: dict, location: dict) -> int | None:
    """Return the complaint's distance as shown from the point, or None beyond RADIUS_KM."""
    point = complaint.get("location") or {}
    lat, lon = point.get("lat"), point.get("lon")
    if not published(complaint):
        lat, lon = square_centre(lat, lon)
    km = geo.distance_km(location["lat"], location["lon"], lat, lon)
    if km > RADIUS_KM:
        return None
    return round(km * 1000) if published(complaint) else approximate_m(km)


def find(
    db: Database,
    collection: str,
    *,
    category: str,
    location: dict | None = None,
    address: str | None = None,
    district: str | None = None,
) -> list[dict]:
    """Return the open complaints of the category near the point or at the address in the district.

    Nearest first (those found by the address alone after them), then newest; never personal
    data, and the subject, exact distance and address match only of the complaints whose citizen
    consented to publish them (the module's docstring).
    """
    found: dict[str, dict] = {}
    if location:
        cells = geo.cells_around(location["lat"], location["lon"], RADIUS_KM)
        for complaint in nearby_store.open_in_cells(db, collection, cells=cells, category=category):
            if (distance := _distance_m(complaint, location)) is not None:
                found[complaint["_id"]] = {**complaint, "distance_m": distance}
    key = address_key(address)
    if key and district:
        at_address = nearby_store.open_at_address(
            db, collection, address_key=key, district=district, category=category
        )
        for complaint in at_address:
            if not published(complaint):
                continue  # listed for an address, it would confirm the address
            found.setdefault(complaint["_id"], {**complaint, "distance_m": None})
            found[complaint["_id"]]["same_address"] = True
    ordered = sorted(
        found.values(),
        key=lambda c: (c["distance_m"] is None, c["distance_m"] or 0, -c["submitted_at"].timestamp()),
    )
    return [_item(c) for c in ordered[:LIMIT]]


def _item(complaint: dict) -> dict:
    return {
        "number": complaint["_id"],
        "category": complaint["category"],
        "district": complaint["district"],
        "subject": complaint["subject"] if published(complaint) else None,
        "status": complaint["status"],
        "submitted_at": time_text(complaint["submitted_at"]),
        "distance_m": complaint["distance_m"],
        "approximate": not published(complaint),
        "same_address": complaint.get("same_address", False),
    }
