"""Hostile bodies at any service: a clear 4xx in the contract's shape, never a 500, nothing kept.

A small app built like every service (common/web.py) loads the services' own schemas from
json_body(), as their handlers do, and answers what it loaded.
"""

from __future__ import annotations

import io
import json

import pytest
from flask import Blueprint, jsonify

from common import bodies
from common.web import create_service_app, json_body
from services.intake.open311 import ServiceRequestSchema
from services.intake.schemas import ComplaintSchema
from services.tracking.schemas import (
    LoginSchema,
    NoteSchema,
    ReopenSchema,
    StaffMemberSchema,
    TrackingRequestSchema,
    TransitionSchema,
)
from tests.unit.refusals import Unreadable, refused

SCHEMAS = {
    "complaint": ComplaintSchema(),
    "tracking": TrackingRequestSchema(),
    "reopen": ReopenSchema(),
    "login": LoginSchema(),
    "transition": TransitionSchema(),
    "note": NoteSchema(),
    "member": StaffMemberSchema(),
    "open311": ServiceRequestSchema(),
}
COMPLAINT = {
    "kind": "complaint",
    "category": "roads",
    "district": "anfa",
    "subject": "Nid de poule",
    "description": "Un trou profond.",
    "citizen": {"name": "Amina", "email": "amina@example.ma"},
    "consent": True,
}
LONE = "\ud800"
api = Blueprint("hostile", __name__)


@api.post("/load/<name>")
def load(name: str):
    return jsonify(SCHEMAS[name].load(json_body()))


@api.post("/upload")
@bodies.accepts_uploads(lambda: 1024 * 1024)
def upload():
    from flask import request

    return jsonify(size=sum(len(f.read()) for f in request.files.values()))


@pytest.fixture
def client():
    return create_service_app("unit", api).test_client()


def post(client, name: str, document) -> object:
    """Send a document the way a client's JSON library writes it: lone surrogates as \\uXXXX escapes."""
    return client.post(f"/load/{name}", data=json.dumps(document), content_type="application/json")


@pytest.mark.parametrize(
    ("name", "document", "field"),
    [
        ("complaint", {**COMPLAINT, "subject": f"Nid {LONE}"}, "subject"),
        ("complaint", {**COMPLAINT, "description": LONE}, "description"),
        ("complaint", {**COMPLAINT, "citizen": {"name": LONE, "email": "a@example.ma"}}, "citizen"),
        ("complaint", {**COMPLAINT, "citizen": {"email": f"{LONE}@example.ma"}}, "citizen"),
        ("tracking", {"number": f"RC-2026-{LONE}", "email": "a@example.ma"}, "number"),
        ("tracking", {"number": "RC-2026-AAAAAAA", "email": f"a{LONE}@example.ma"}, "email"),
        ("reopen", {"reason": f"Toujours là {LONE}"}, "reason"),
        ("login", {"username": "admin", "password": f"pass{LONE}word"}, "password"),
        ("login", {"username": LONE, "password": "password"}, "username"),
        ("transition", {"to": "in_progress", "internal_note": LONE}, "internal_note"),
        ("note", {"text": LONE}, "text"),
        (
            "member",
            {"username": "agent", "password": "p" * 12, "role": "agent", "districts": [LONE]},
            "districts",
        ),
    ],
)
def test_a_lone_surrogate_in_any_field_is_a_400_naming_it(client, name, document, field):
    error = refused(post(client, name, document))
    assert field in error["fields"]


def test_a_lone_surrogate_in_a_field_name_is_a_400(client):
    refused(post(client, "note", {"text": "ok", LONE: "x"}))


def test_a_surrogate_pair_is_one_character_and_kept(client):
    answer = post(client, "note", {"text": "Merci \U0001f44d"})
    assert answer.status_code == 200 and answer.json["text"] == "Merci \U0001f44d"


# A 100,000-deep object takes more than the JSON limit (a 413); 40,000 levels fit in it.
@pytest.mark.parametrize(("opening", "levels"), [("[", 100_000), ('{"":', 40_000)])
def test_deeply_nested_json_is_a_400(client, opening, levels):
    closing = "]" if opening == "[" else "}"
    deep = opening * levels + "1" + closing * levels
    for name in ("complaint", "login", "note"):
        error = refused(client.post(f"/load/{name}", data=deep, content_type="application/json"))
        assert "nested" in error["message"]


def test_brackets_inside_strings_are_text_not_nesting(client):
    answer = post(client, "note", {"text": "[" * 2000 + "{" * 2000})
    assert answer.status_code == 200 and answer.json["text"] == "[" * 2000 + "{" * 2000


@pytest.mark.parametrize("body", [b"{", b'{"text": "\xff"}', b"1" * 5000, b'"just a string"', b""])
def test_bodies_that_are_not_a_json_object_are_a_400(client, body):
    refused(client.post("/load/note", data=body, content_type="application/json"))


def test_control_characters_are_dropped_and_newlines_and_tabs_kept(client):
    document = {
        **COMPLAINT,
        "subject": "Nid\x00 de\x07 poule\x7f\x9b",
        "description": "Ligne 1\r\nLigne 2\rLigne 3\n\tfin\x00\x1b[31m",
        "citizen": {"name": "Ami\x00na", "email": "amina@example.ma"},
    }
    loaded = post(client, "complaint", document).json
    assert loaded["subject"] == "Nid de poule"
    assert loaded["description"] == "Ligne 1\nLigne 2\nLigne 3\n\tfin[31m"
    assert loaded["citizen"]["name"] == "Amina"


def test_a_field_of_control_characters_only_is_empty_and_refused(client):
    error = refused(post(client, "note", {"text": "\x00\x01\x02"}))
    assert "text" in error["fields"]


def test_open311_form_fields_lose_control_characters_too():
    loaded = ServiceRequestSchema().load(
        {"service_code": "roads", "address_string": "12 rue\x00 X", "description": "a\r\nb\x00"}
    )
    assert loaded["address_string"] == "12 rue X" and loaded["description"] == "a\nb"


def test_a_json_body_over_the_limit_is_a_413_before_it_is_read(client):
    unread = Unreadable()
    answer = client.post(
        "/load/note",
        content_type="application/json",
        environ_overrides={"wsgi.input": unread, "CONTENT_LENGTH": str(105 * 1024 * 1024)},
    )
    assert refused(answer, 413, "payload_too_large")
    assert unread.read_bytes == 0


def test_a_chunked_json_body_is_cut_off_with_a_413_once_past_the_limit(client):
    endless = Endless()
    answer = client.post("/load/note", content_type="application/json", environ_overrides=chunked(endless))
    refused(answer, 413, "payload_too_large")
    assert endless.sent <= bodies.json_bytes() + 64 * 1024


def test_a_chunked_json_body_within_the_limit_is_read_whole(client):
    body = json.dumps({"text": "x" * 4000}).encode() + b" " * 200_000
    answer = client.post(
        "/load/note", content_type="application/json", environ_overrides=chunked(io.BytesIO(body))
    )
    assert answer.status_code == 200 and answer.json["text"] == "x" * 4000


def test_an_upload_route_takes_multipart_up_to_its_own_limit(client):
    files = {"file": (io.BytesIO(b"x" * 600_000), "a.pdf")}
    assert client.post("/upload", data=files).json == {"size": 600_000}
    big = {"file": (io.BytesIO(b"x" * 1_100_000), "a.pdf")}
    refused(client.post("/upload", data=big), 413, "payload_too_large")


def test_an_upload_route_holds_other_bodies_to_the_json_limit(client):
    answer = client.post("/upload", data=b"x" * 300_000, content_type="application/json")
    refused(answer, 413, "payload_too_large")


def test_a_query_string_that_is_not_utf8_is_a_400_not_a_500(client):
    answer = client.get("/health/live", environ_overrides={"QUERY_STRING": "q=\xed\xa0\x80&r=\xff"})
    refused(answer, 400, "bad_request")


class Endless(io.RawIOBase):
    """A body sent without a length that never ends (and fails the test past 50 MB)."""

    sent = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        buffer[:] = b"x" * len(buffer)
        self.sent += len(buffer)
        assert self.sent < 50 * 1024 * 1024, "the body was read without a bound"
        return len(buffer)


def chunked(stream) -> dict:
    """Return the environ of a body sent chunked (no Content-Length) to a server that ends it."""
    return {"wsgi.input": stream, "wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"}
