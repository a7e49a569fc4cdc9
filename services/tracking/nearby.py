"""Complaints already reported: the open ones of a category near a point or at the same address.

A citizen about to file sees them and may follow one instead. Each listing is answered from an
index: a point's neighbours from the grid cells around it (common/geo.py), an address from its
folded words in its district; then the exact distance is measured on the few found.
"""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.database import Database

from common import geo
from services.tracking import lifecycle, search
from services.tracking.views import time_text

RADIUS_KM = 0.15  # "near": within 150 m
LIMIT = 10  # at most this many are shown
INDEXES = (
    [("cell", ASCENDING), ("category", ASCENDING), ("status", ASCENDING)],
    [("address_key", ASCENDING), ("district", ASCENDING), ("category", ASCENDING), ("status", ASCENDING)],
)
PROJECTION = {
    "_id": 1,
    "category": 1,
    "district": 1,
    "subject": 1,
    "status": 1,
    "submitted_at": 1,
    "location": 1,
    "address_key": 1,
    "publish": 1,
}


def address_key(address: str | None) -> str | None:
    """Return an address as compared: its words folded (case, accents, diacritics), in order."""
    key = " ".join(search.words(address))
    return key[:500] or None


def keys(location: dict | None, address: str | None) -> dict:
    """Return the fields a complaint is found by: its point's cell and its folded address."""
    cell = geo.cell(location["lat"], location["lon"]) if location else None
    return {"cell": cell, "address_key": address_key(address)}


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
    data, and the subject only of the complaints whose citizen consented to publish it.
    """
    status = {"$in": list(lifecycle.OPEN)}
    found: dict[str, dict] = {}
    if location:
        cells = geo.cells_around(location["lat"], location["lon"], RADIUS_KM)
        match = {"cell": {"$in": cells}, "category": category, "status": status}
        for complaint in db[collection].find(match, PROJECTION):
            point = complaint.get("location") or {}
            km = geo.distance_km(location["lat"], location["lon"], point.get("lat"), point.get("lon"))
            if km <= RADIUS_KM:
                found[complaint["_id"]] = {**complaint, "distance_m": round(km * 1000)}
    key = address_key(address)
    if key and district:
        match = {"address_key": key, "district": district, "category": category, "status": status}
        for complaint in db[collection].find(match, PROJECTION):
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
        "subject": complaint["subject"] if complaint.get("publish") is True else None,
        "status": complaint["status"],
        "submitted_at": time_text(complaint["submitted_at"]),
        "distance_m": complaint["distance_m"],
        "same_address": complaint.get("same_address", False),
    }
