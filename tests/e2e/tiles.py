"""A tile server of the tests' own: generated PNG tiles, so that the maps load nothing from outside.

It answers `/{z}/{x}/{y}.png` as OpenStreetMap's standard server does, with a plain tile that shows
its own coordinates, and counts what it served: a map that loaded its tiles asked for them here.
"""

from __future__ import annotations

import contextlib
import io
import re
import threading
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TILE = re.compile(r"^/(\d{1,2})/(\d{1,7})/(\d{1,7})\.png$")


@lru_cache(maxsize=512)
def tile(z: int, x: int, y: int) -> bytes:
    """Return a 256 px PNG tile: a light ground, a grid line at its edges, its coordinates written."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (256, 256), (236, 240, 232) if (x + y) % 2 else (228, 234, 224))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 255, 255), outline=(200, 206, 196))
    draw.text((8, 8), f"{z}/{x}/{y}", fill=(120, 128, 118))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


class TileServer:
    """A started tile server: its `url` template (MAP_TILES_URL) and the tiles it served."""

    def __init__(self) -> None:
        served: list[str] = []
        self.served = served

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                match = TILE.match(self.path)
                if not match:
                    self.send_error(404)
                    return
                body = tile(*(int(part) for part in match.groups()))
                served.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "public, max-age=3600")
                self.end_headers()
                with contextlib.suppress(ConnectionError):  # a tile the map no longer wants
                    self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/{{z}}/{{x}}/{{y}}.png"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
