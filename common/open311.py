"""Open311 GeoReport v2 at the HTTP edge: answers in JSON or XML, and errors in its shape.

The format is the path's suffix (`services.json`, `services.xml`). Errors are
`[{"code": 404, "description": "..."}]`, or in XML
`<errors><error><code>404</code><description>...</description></error></errors>`.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree

from flask import Response, request

PREFIX = "/open311/v2"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element of each item of a list, as the specification names them.
ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "notes": "note",
}


def is_open311() -> bool:
    """Return whether the current request is an Open311 one."""
    return request.path.startswith(PREFIX + "/")


def requested_format() -> str:
    """Return `json` or `xml` from the path's suffix (JSON when there is none)."""
    return "xml" if request.path.endswith(".xml") else "json"


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _element(parent: ElementTree.Element, name: str, value) -> None:
    node = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, child in value.items():
            _element(node, key, child)
    elif isinstance(value, list):
        for item in value:
            _element(node, ITEMS.get(name, "item"), item)
    else:
        node.text = _text(value)


def to_xml(root: str, value) -> bytes:
    """Return an answer as the specification's XML: lists of items under their plural."""
    tree = ElementTree.Element(root)
    if isinstance(value, list):
        for item in value:
            _element(tree, ITEMS.get(root, "item"), item)
    else:
        for key, child in value.items():
            _element(tree, key, child)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ElementTree.tostring(tree, encoding="utf-8")


def respond(root: str, value, status: int = 200) -> Response:
    """Return an answer in the requested format; `root` names the XML document element."""
    fmt = requested_format()
    if fmt == "xml":
        body = to_xml(root, value)
    else:
        body = json.dumps(value, ensure_ascii=False).encode()
    return Response(body, status=status, content_type=FORMATS[fmt])


def error_response(status: int, message: str, headers: dict | None = None) -> Response:
    """Return an error in the specification's shape."""
    response = respond("errors", [{"code": status, "description": message}], status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
