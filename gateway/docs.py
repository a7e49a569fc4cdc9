"""The API's documentation: docs/openapi.yaml, as it is and as a readable page (no external assets)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from flask import Blueprint, Response, render_template

from common.errors import NotFound

docs = Blueprint("docs", __name__, template_folder="templates")
OPENAPI = Path(__file__).resolve().parents[1] / "docs" / "openapi.yaml"
METHODS = ("get", "post", "put", "patch", "delete")


@cache
def _document() -> tuple[str, dict]:
    if not OPENAPI.exists():
        raise NotFound("The API's description is not installed with this gateway.")
    text = OPENAPI.read_text()
    return text, yaml.safe_load(text)


def _resolve(document: dict, node: dict) -> dict:
    """Follow a local $ref (#/components/...) to what it names."""
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _schema_text(document: dict, schema: dict) -> str:
    schema = schema or {}
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    kind = schema.get("type", "")
    return " or ".join(kind) if isinstance(kind, list) else str(kind)


def operations(document: dict) -> list[dict]:
    """Return every operation, grouped by its first tag, in the document's order."""
    found = []
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            parameters = [_resolve(document, p) for p in [*shared, *operation.get("parameters", [])]]
            body = _resolve(document, operation.get("requestBody", {}))
            found.append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "tag": (operation.get("tags") or ["other"])[0],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "secured": bool(operation.get("security")),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "schema": _schema_text(document, p.get("schema")),
                            "description": p.get("description", ""),
                        }
                        for p in parameters
                    ],
                    "body": list(body.get("content", {})),
                    "responses": [
                        (code, _resolve(document, answer).get("description", ""))
                        for code, answer in operation["responses"].items()
                    ],
                }
            )
    return found


@docs.get("/api/openapi.yaml")
def openapi_yaml():
    """The OpenAPI 3.1 document itself."""
    return Response(_document()[0], content_type="application/yaml; charset=utf-8")


@docs.get("/api/docs")
def api_docs():
    """The API as a page to read."""
    document = _document()[1]
    found = operations(document)
    tags = [t["name"] for t in document.get("tags", [])]
    groups = [(tag, [o for o in found if o["tag"] == tag]) for tag in tags]
    response = Response(render_template("api_docs.html", info=document["info"], groups=groups))
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    return response
