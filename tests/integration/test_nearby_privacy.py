"""Already reported, as an attacker asks it: an unpublished complaint can be neither located nor confirmed.

Against the real store, through tracking's API as an anonymous visitor: three distances from known
points (trilateration) and a bisection along a line for the edge of the 150 m circle give no more
than the complaint's ~100 m square, an address guessed right is answered as one guessed wrong, and
a published complaint keeps its exact distance and address match.
"""

from __future__ import annotations

import math
import uuid

import pytest

from common import config, geo
from tests.integration.complaints import submission

# Two unpublished complaints in opposite corners of one square of the listing's grid (0.001°, about
# 111 m by 93 m here), 130 m apart: what the listing answers about one it must answer about the other.
TARGET = (33.58205, -7.64095)
TWIN = (33.58295, -7.64005)
ADDRESS = "12 Rue des Oliviers"


@pytest.fixture
def app(db, monkeypatch):
    from services.tracking import store
    from services.tracking.app import create_app

    monkeypatch.setenv("RATE_NEARBY", "100000/600")  # the attack's hundreds of queries
    config.reload()
    store.ensure_indexes(db)
    return create_app({"TESTING": True}).test_client()


def filed(db, category: str, point: tuple | None, *, publish: bool, address: str | None = None) -> str:
    from services.tracking import handlers

    location = {"lat": point[0], "lon": point[1]} if point else None
    data = submission(category=category, location=location, address=address, publish=publish)
    handlers.record_submitted(db, data)
    return data["number"]


def moved(point: tuple, north_m: float, east_m: float) -> tuple[float, float]:
    """Return the point that many metres north and east of this one."""
    lat = point[0] + north_m / 1000 / geo.KM_PER_DEGREE
    return lat, point[1] + east_m / 1000 / (geo.KM_PER_DEGREE * math.cos(math.radians(point[0])))


def metres(a: tuple, b: tuple) -> float:
    return geo.distance_km(*a, *b) * 1000


class Visitor:
    """An anonymous client of the listing that keeps what it was answered about one complaint."""

    def __init__(self, app, category: str, number: str):
        self.app, self.category, self.number = app, category, number
        self.transcript: list = []
        self.address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"

    def ask(self, point: tuple | None = None, address: str | None = None) -> dict | None:
        query = {"category": self.category}
        if point:
            query.update(lat=repr(point[0]), lon=repr(point[1]))
        if address:
            query.update(address=address, district="anfa")
        answer = self.app.get(
            "/api/v1/complaints/nearby", query_string=query, headers={"X-Forwarded-For": self.address}
        )
        assert answer.status_code == 200, answer.json
        found = next((item for item in answer.json["items"] if item["number"] == self.number), None)
        seen = found and (found["distance_m"], found["same_address"], found.get("approximate"))
        self.transcript.append(seen)
        return found

    def trilaterate(self, origin: tuple) -> tuple[float, float]:
        """Locate the complaint from its distances to three points 88, 108 and 117 m from origin."""
        circles = []
        for north, east in [(88, 0), (0, 108), (110, -40)]:
            found = self.ask(moved(origin, north, east))
            assert found is not None and found["distance_m"] is not None
            circles.append((north, east, found["distance_m"]))
        # Subtracting the first circle's equation from the others leaves two linear ones.
        (y1, x1, r1), rows = circles[0], []
        for y, x, r in circles[1:]:
            rows.append((2 * (x - x1), 2 * (y - y1), r1**2 - r**2 + x**2 - x1**2 + y**2 - y1**2))
        (a, b, c), (d, e, f) = rows
        east, north = (c * e - b * f) / (a * e - b * d), (a * f - c * d) / (a * e - b * d)
        return moved(origin, north, east)

    def edge(self, origin: tuple, north: float, east: float) -> float:
        """Return how far from origin towards (north, east) the complaint is still listed (bisection)."""
        outside, inside = 400.0, 0.0  # metres along the line; at origin it is listed
        assert self.ask(origin) is not None and self.ask(moved(origin, north * 400, east * 400)) is None
        while outside - inside > 0.25:
            middle = (outside + inside) / 2
            if self.ask(moved(origin, north * middle, east * middle)) is None:
                outside = middle
            else:
                inside = middle
        return inside

    def sweep(self, origin: tuple) -> tuple[float, float]:
        """Locate the complaint by where the edge of its 150 m circle cuts two lines through origin.

        The middle of a chord has the centre's longitude on a line west to east, its latitude on one
        south to north: four bisections, a few dozen questions, place it to the metre.
        """
        west, east = self.edge(origin, 0, -1), self.edge(origin, 0, 1)
        south, north = self.edge(origin, -1, 0), self.edge(origin, 1, 0)
        return moved(origin, (north - south) / 2, (east - west) / 2)


def test_three_distances_and_a_sweep_locate_an_unpublished_complaint_no_closer_than_its_square(app, db):
    category, other = f"roads-{uuid.uuid4().hex[:6]}", f"roads-{uuid.uuid4().hex[:6]}"
    visitors = [
        Visitor(app, category, filed(db, category, TARGET, publish=False)),
        Visitor(app, other, filed(db, other, TWIN, publish=False)),
    ]
    assert metres(TARGET, TWIN) > 120
    for attack in ("trilaterate", "sweep"):
        # The attacker knows the place well enough to ask around the target's point.
        target, twin = (getattr(visitor, attack)(TARGET) for visitor in visitors)
        # Whatever is computed from the answers, it is more than 50 m from one of two complaints
        # 130 m apart when they are answered alike; exact answers place each at its own point.
        error = max(metres(target, TARGET), metres(twin, TWIN))
        assert error > 50, f"{attack}: an unpublished complaint located within {error:.1f} m"
    # The same questions about both got the same answers: nothing finer than their square can be
    # learnt from the listing, whatever the questions.
    assert visitors[0].transcript == visitors[1].transcript
    assert {seen[0] % 50 for seen in visitors[0].transcript if seen} == {0}  # distances in 50 m steps


def test_a_citizen_at_the_place_still_sees_the_unpublished_complaint_reported_there(app, db):
    category = f"roads-{uuid.uuid4().hex[:6]}"
    visitor = Visitor(app, category, filed(db, category, TARGET, publish=False, address=ADDRESS))
    found = visitor.ask(TARGET)
    assert found is not None and found["subject"] is None and found["distance_m"] in (50, 100)
    assert found["approximate"] is True


def test_an_address_query_does_not_confirm_an_unpublished_complaints_address(app, db):
    category = f"roads-{uuid.uuid4().hex[:6]}"
    with_point = Visitor(app, category, filed(db, category, TARGET, publish=False, address=ADDRESS))
    without = Visitor(app, category, filed(db, category, None, publish=False, address=ADDRESS))
    for visitor in (with_point, without):
        assert visitor.ask(address=ADDRESS) is None  # the right guess is answered as a wrong one
        assert visitor.ask(address="14 Rue des Oliviers") is None
    right = with_point.ask(TARGET, address=ADDRESS)
    wrong = with_point.ask(TARGET, address="14 Rue des Oliviers")
    assert right is not None and right == wrong and right["same_address"] is False


def test_a_published_complaint_keeps_its_exact_distance_and_its_address_match(app, db):
    category = f"roads-{uuid.uuid4().hex[:6]}"
    visitor = Visitor(app, category, filed(db, category, TARGET, publish=True, address=ADDRESS))
    for north, east in [(88, 0), (-40, 100), (-30, -114)]:
        asked = moved(TARGET, north, east)
        found = visitor.ask(asked)
        assert found["distance_m"] == round(metres(asked, TARGET))
        assert found["approximate"] is False
    by_address = visitor.ask(address=ADDRESS.upper())
    assert by_address["same_address"] is True and by_address["distance_m"] is None
    assert visitor.ask(TARGET, address=ADDRESS)["same_address"] is True
