"""What the edge takes: addresses without control characters, text without bidi overrides.

An address holding a control character (`"a\\u0007\\u001b"@example.ma`) would reach the `To:`
header raw; a subject holding U+202E (right-to-left override) would display as other text in
staff's emails. Finding 9 of issue 26.
"""

from __future__ import annotations

import pytest
from marshmallow import Schema, ValidationError

from common import schemas
from services.intake.open311 import ServiceRequestSchema
from services.intake.schemas import CitizenSchema
from services.tracking.schemas import (
    CitizenRequestSchema,
    FollowSchema,
    StaffChangeSchema,
    StaffMemberSchema,
    TrackingRequestSchema,
)

# C0 (tab and newline too: an address has none), DEL, C1, the embeddings and overrides, the isolates.
REFUSED_IN_ADDRESSES = [
    "\x00",
    "\x07",
    "\x1b",
    "\t",
    "\n",
    "\x7f",
    "\x85",
    "\x9b",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
]
MEMBER = {"username": "agent-x", "password": "a-long-password", "role": "agent"}
# Every schema that takes an address, with a body around it.
ADDRESS_BODIES = [
    (CitizenSchema, lambda address: {"email": address}),
    (TrackingRequestSchema, lambda address: {"number": "RC-2026-AAAAAAA", "email": address}),
    (FollowSchema, lambda address: {"email": address}),
    (CitizenRequestSchema, lambda address: {"email": address}),
    (StaffMemberSchema, lambda address: {**MEMBER, "email": address}),
    (StaffChangeSchema, lambda address: {"email": address}),
    (
        ServiceRequestSchema,
        lambda address: {"service_code": "roads", "address_string": "X", "email": address},
    ),
]


def email_field():
    class Form(Schema):
        email = schemas.Email(required=True)

    return Form()


@pytest.mark.parametrize("character", REFUSED_IN_ADDRESSES, ids=lambda c: f"U+{ord(c):04X}")
def test_the_email_field_refuses_an_address_holding_a_control_or_bidi_character(character):
    with pytest.raises(ValidationError) as refused:
        email_field().load({"email": f'"a{character}"@example.ma'})
    assert list(refused.value.messages) == ["email"]
    with pytest.raises(ValidationError):
        email_field().load({"email": f"amina{character}@example.ma"})
    with pytest.raises(ValidationError):
        email_field().load({"email": f"amina@exa{character}mple.ma"})


def test_the_email_field_takes_an_address_trimmed_and_refuses_what_is_not_one():
    assert email_field().load({"email": " Amina.B+x@Example.ma "}) == {"email": "Amina.B+x@Example.ma"}
    assert email_field().load({"email": '"a..b"@example.ma'}) == {"email": '"a..b"@example.ma'}
    for wrong in ("not-an-email", {"$ne": ""}, ["a@example.ma"], 1, "\ud800@example.ma", "a" * 250 + "@b.ma"):
        with pytest.raises(ValidationError):
            email_field().load({"email": wrong})


@pytest.mark.parametrize(("schema", "body"), ADDRESS_BODIES, ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("address", ['"a\u0007\u001b"@example.ma', '"a\x7f"@example.ma'])
def test_every_schema_taking_an_address_refuses_one_with_control_characters(schema, body, address):
    assert schema().load(body("amina@example.ma"))["email"] == "amina@example.ma"
    with pytest.raises(ValidationError) as refused:
        schema().load(body(address))
    assert "email" in refused.value.messages


@pytest.mark.parametrize(
    "override", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"], ids=lambda c: f"U+{ord(c):04X}"
)
def test_text_drops_the_bidi_embeddings_and_overrides(override):
    assert schemas.Text().deserialize(f"Facture{override} gpj.exe") == "Facture gpj.exe"


@pytest.mark.parametrize(
    "mark",
    ["\u200e", "\u200f", "\u061c", "\u2066", "\u2067", "\u2068", "\u2069"],
    ids=lambda c: f"U+{ord(c):04X}",
)
def test_text_keeps_the_marks_and_isolates_mixed_arabic_and_latin_text_needs(mark):
    text = f"شارع {mark}Anfa 12{mark} الدار البيضاء"
    assert schemas.Text().deserialize(text) == text
