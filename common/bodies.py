"""Request bodies: each route's size limit, enforced before a byte is read, and strict JSON.

A route takes JSON or form bodies up to MAX_JSON_BYTES; a view marked with `accepts_uploads` takes
multipart bodies up to its own limit. A body whose Content-Length is over the route's limit is
refused at once, unread; one sent without a length (chunked) is read through a stream that stops
with a 413 once it grows past the limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from json.decoder import scanstring

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from common import config
from common.errors import BadRequest
from common.schemas import LONE_SURROGATE

# No body of the API is nested more than three levels; deeper JSON is refused before it is parsed,
# so that parsing it cannot exhaust the recursion limit.
MAX_DEPTH = 32
_TOKEN = re.compile(r'["[\]{}]')


def json_bytes() -> int:
    """Return the largest JSON or form body a route accepts, in bytes."""
    return config.settings().max_json_bytes


def accepts_uploads(limit: Callable[[], int]):
    """Let a view take multipart bodies (files) up to limit() bytes; other bodies stay at json_bytes()."""

    def mark(view):
        view.upload_limit = limit
        return view

    return mark


def route_limit() -> int:
    """Return the largest body the current request's route accepts, in bytes."""
    limit = json_bytes()
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    uploads = getattr(view, "upload_limit", None)
    if uploads is not None and request.mimetype == "multipart/form-data":
        limit = uploads()
    ceiling = current_app.config.get("MAX_CONTENT_LENGTH")  # MAX_REQUEST_BYTES, over every route
    return min(limit, ceiling) if ceiling else limit


def size(limit: int) -> str:
    """Return a size as people read it (256 kB, 10 MB)."""
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):.3g} MB"
    return f"{limit / 1024:.3g} kB"


def install(app: Flask) -> None:
    """Bound every request's body by its route's limit, before anything reads it."""

    @app.before_request
    def _bound_body() -> None:
        limit = route_limit()
        if request.content_length is not None:
            if request.content_length > limit:
                raise too_large(limit)
            request.max_content_length = limit
        else:
            # Sent without a length (chunked): Werkzeug's stream would stop at its maximum without
            # a word, cutting the body short; one byte more lets the cap see it is too long.
            request.environ["wsgi.input"] = _Capped(request.environ["wsgi.input"], limit)
            request.max_content_length = limit + 1


def too_large(limit: int) -> RequestEntityTooLarge:
    """Return the 413 of a body over limit: an HTTP error, so that a page answers its error page."""
    return RequestEntityTooLarge(f"The body may be at most {size(limit)} on this route.")


class _Capped:
    """A request's input that raises a 413 once more than `limit` bytes came through it."""

    def __init__(self, stream, limit: int):
        self._stream, self._limit, self._left = stream, limit, limit

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self._left + 1
        data = self._stream.read(size)
        self._left -= len(data)
        if self._left < 0:
            # Made here, not kept: a kept error would hold, through its traceback, this stream and
            # the server's buffers until the garbage collector found the cycle.
            raise too_large(self._limit)
        return data


def too_deep(text: str) -> bool:
    """Return whether a JSON text nests arrays and objects deeper than MAX_DEPTH, without parsing it.

    A linear scan of its brackets, skipping strings; it stops at the first level too deep, or at a
    broken string, which json.loads refuses when it reaches it (never deeper than the limit).
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    level, position = 0, 0
    while match := _TOKEN.search(text, position):
        if match.group() == '"':
            try:
                position = scanstring(text, match.end())[1]
            except ValueError:
                return False
            continue
        level += 1 if match.group() in "[{" else -1
        if level > MAX_DEPTH:
            return True
        position = match.end()
    return False


def parse_json(data: bytes | str):
    """Return the JSON document in data, or raise the contract's 400.

    Refused: what is not JSON, nesting deeper than MAX_DEPTH, and strings (names or values) that
    hold a lone surrogate (`"\\ud800"`), which is no character and cannot be stored or sent.
    """
    try:
        text = data if isinstance(data, str) else data.decode(json.detect_encoding(data))
    except UnicodeDecodeError as exc:
        raise BadRequest("The body is not UTF-8 text.") from exc
    if too_deep(text):
        raise BadRequest(f"The JSON is nested too deeply (at most {MAX_DEPTH} levels).")
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise BadRequest("The body is not valid JSON.") from exc
    where = lone_surrogate(document)
    if where is not None:
        message = "Not valid Unicode text (a lone surrogate)."
        raise BadRequest("The body holds text that is not valid Unicode.", fields=_nest(where, [message]))
    return document


def lone_surrogate(document) -> list | None:
    """Return the path to the first string holding a lone surrogate, or None (no recursion)."""
    pending = [([], document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if not value.isascii() and LONE_SURROGATE.search(value):
                return path
        elif isinstance(value, dict):
            for key, inner in value.items():
                if not key.isascii() and LONE_SURROGATE.search(key):
                    return [*path, "_schema"]
                pending.append(([*path, key], inner))
        elif isinstance(value, list):
            pending.extend(([*path, index], inner) for index, inner in enumerate(value))
    return None


def _nest(path: list, leaf) -> dict:
    """Return the fields of an error at a path, nested as marshmallow nests them."""
    for key in reversed(path or ["_schema"]):
        leaf = {key: leaf}
    return leaf
