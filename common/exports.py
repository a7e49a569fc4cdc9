"""CSV downloads for staff: streamed, readable by spreadsheets, safe to open."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from flask import Response, stream_with_context

# A cell starting with one of these is a formula to a spreadsheet; it is written as text instead,
# unless it is only a signed number such as a phone number (+212 6...), which runs nothing.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"^[+-][\d\s().]*$")
# A file name is made of filter values: anything but these becomes a dash, so that no quote, CR or
# LF reaches the header (header injection) and every browser reads the name the same way.
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START) and not _SIGNED_NUMBER.match(text):
        return "'" + text
    return text


def attachment(filename: str) -> str:
    """Return the Content-Disposition of a download named filename, reduced to safe ASCII."""
    safe = _UNSAFE_IN_NAME.sub("-", filename).strip("-")
    if not safe or safe.startswith("."):
        safe = "export" + (safe or ".csv")
    return f'attachment; filename="{safe}"'


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> Response:
    """Return a CSV download, UTF-8 with a byte-order mark so that spreadsheets read Arabic right."""

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        yield "\ufeff"
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = attachment(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
