"""The pages' maps: Leaflet served from the gateway's own origin, and what map.js is told to draw.

Leaflet comes from its npm package, pinned in gateway/web/vendor/package-lock.json and installed
by `npm ci` (`make vendor`, which `make run` and `make test` call, and the image's first stage).
Without it, or without script, the maps do not show and every page works as it always did: the
coordinates' boxes stay, and the lists say what the maps would show.
"""

from __future__ import annotations

from pathlib import Path

from flask import abort, send_from_directory, url_for
from markupsafe import Markup, escape

from common import config
from gateway.web.shared import web

LEAFLET = Path(__file__).parent / "vendor" / "node_modules" / "leaflet" / "dist"
# Only what the maps load: the script, its style sheet and the pictures the style sheet names.
SERVED = ("leaflet.js", "leaflet.css", "images/")
WEEK = 7 * 24 * 3600
# Where the maps open when a page has no point of its own: the city's centre (the default catalogue's).
CITY = (33.5731, -7.5898)


def available() -> bool:
    """Return whether Leaflet is installed (else the pages leave their maps out)."""
    return (LEAFLET / "leaflet.js").is_file()


@web.get("/static/leaflet/<path:filename>")
def leaflet(filename: str):
    if not filename.startswith(SERVED) or ".." in filename:
        abort(404)
    response = send_from_directory(LEAFLET, filename, max_age=WEEK)
    response.headers["Cache-Control"] = f"public, max-age={WEEK}"
    return response


@web.app_template_global("map_centre")
def centre(districts: list[dict]) -> tuple[float, float]:
    """Return the middle of the districts' centres: where a map of the city opens."""
    points = [d["center"] for d in districts if d.get("center")]
    if not points:
        return CITY
    return (
        round(sum(p["lat"] for p in points) / len(points), 5),
        round(sum(p["lon"] for p in points) / len(points), 5),
    )


@web.app_template_global()
def map_scripts() -> Markup:
    """Return the tags that load Leaflet and map.js (deferred), for a page that draws a map."""
    if not available():
        return Markup("")
    return Markup(
        f'<link rel="stylesheet" href="{url_for("web.leaflet", filename="leaflet.css")}">\n'
        f'<script src="{url_for("web.leaflet", filename="leaflet.js")}" defer></script>\n'
        f'<script src="{url_for("web.static", filename="map.js")}" defer></script>'
    )


@web.app_template_global()
def map_data(**values) -> Markup:
    """Return the data-* attributes of a map element: the tiles, their attribution, then `values`.

    A value's name takes dashes for its underscores (locate_failed: data-locate-failed).
    """
    settings = config.settings()
    given = {
        "tiles": settings.map_tiles_url,
        "attribution": settings.map_attribution,
        "attribution_url": settings.map_attribution_url or "",
        **values,
    }
    return Markup(
        " ".join(f'data-{name.replace("_", "-")}="{escape(value)}"' for name, value in given.items())
    )
