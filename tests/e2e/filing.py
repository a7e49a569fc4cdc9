"""Complaints filed through the API with their documents, and small documents of each accepted type."""

from __future__ import annotations

import io
import json

from PIL import Image

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 120, 0)).save(buffer, "JPEG")
    return buffer.getvalue()


def file_complaint(platform, email: str, documents: list[tuple[str, bytes]], district="anfa") -> str:
    body = {
        "kind": "claim",
        "category": "roads",
        "district": district,
        "subject": "Trottoir effondré",
        "description": "Les dalles sont soulevées devant l'école.",
        "citizen": {"email": email},
        "consent": True,
    }
    files = [("documents", (name, data)) for name, data in documents]
    answer = platform.http.post(
        f"{platform.url}/api/v1/complaints", data={"complaint": json.dumps(body)}, files=files, timeout=30
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["number"]
