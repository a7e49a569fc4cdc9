"""Intake's decisions, pure: deadlines, placing a point, a number's shape, repeats, Open311's fields.

Nothing here reads the store, the configuration or the request: the time, the secret and the limits
come in as arguments, so that each rule is a table of cases (tests/unit/intake/test_rules.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from common import geo
from common.vocabulary import DEFAULT_LANGUAGE, Channel, Kind, Language
from services.intake import boundaries

# ---- deadlines ------------------------------------------------------------------------------


def deadlines(submitted_at: datetime, ack_days: int, answer_days: int) -> tuple[datetime, datetime]:
    """Return when the acknowledgement and the answer are due, counted from the submission."""
    return submitted_at + timedelta(days=ack_days), submitted_at + timedelta(days=answer_days)


def changes_one_deadline(changes: Mapping) -> bool:
    """Return whether a category's change names one deadline only (the other is the stored one)."""
    return ("ack_days" in changes) != ("answer_days" in changes)


def deadlines_in_order(changes: Mapping, current: Mapping) -> bool:
    """Return whether a category, once changed, is acknowledged no later than it is answered."""
    return changes.get("ack_days", current["ack_days"]) <= changes.get("answer_days", current["answer_days"])


# ---- where a point is -----------------------------------------------------------------------


def nearest_district(
    districts: Mapping[str, Mapping], lat: float, lon: float, within_km: float
) -> str | None:
    """Return the district whose centre is nearest the point, or None when none is within reach."""
    best, best_km = None, within_km
    for code, district in districts.items():
        center = district.get("center")
        if center:
            km = geo.distance_km(lat, lon, center["lat"], center["lon"])
            if km <= best_km:
                best, best_km = code, km
    return best


def locate(districts: Mapping[str, Mapping], location: Mapping | None, within_km: float) -> str | None:
    """Return the district a point is in, else None (outside the city).

    The district whose boundary holds the point (its edge included; of two that share the edge,
    the first by code); else, of the districts that have no boundary, the one whose centre is
    nearest within `within_km`.
    """
    if not location:
        return None
    lat, lon = location["lat"], location["lon"]
    for code in sorted(districts):
        boundary = districts[code].get("boundary")
        if boundary and boundaries.holds(boundary, lat, lon):
            return code
    unbounded = {code: district for code, district in districts.items() if not district.get("boundary")}
    return nearest_district(unbounded, lat, lon, within_km)


# ---- the number's shape ---------------------------------------------------------------------

# Crockford base32: no I, L, O or U, which are read as 1, 1, 0 and V.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {symbol: i for i, symbol in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
RANDOM_LENGTH = 6
NUMBER_PATTERN = re.compile(rf"^RC-(\d{{4}})-([{ALPHABET}]{{{RANDOM_LENGTH + 1}}})$")


def check_symbol(payload: str) -> str:
    """Return the Luhn mod 32 check symbol of a base32 payload."""
    total, factor = 0, 2
    for symbol in reversed(payload):
        addend = factor * _VALUE[symbol]
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def number(year: int, payload: str) -> str:
    """Return the complaint number of a year and a random payload, its check symbol appended."""
    return f"RC-{year}-{payload}{check_symbol(payload)}"


def normalize_number(text: str) -> str | None:
    """Return the number as written by the platform, or None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    cleaned = re.sub(r"[\s]", "", text).upper()
    match = re.match(r"^RC-?(\d{4})-?([0-9A-Z]+)$", cleaned)
    if not match:
        return None
    body = match.group(2).translate(_READ_AS)
    written = f"RC-{match.group(1)}-{body}"
    if not NUMBER_PATTERN.match(written) or check_symbol(body[:-1]) != body[-1]:
        return None
    return written


# ---- a submission sent again ----------------------------------------------------------------


def repeat_digest(secret: str, request_id: str | None, data: Mapping, blobs: Iterable[str]) -> bytes | None:
    """Return a keyed hash of a request's id and content, the same each time it is sent again.

    None without a request id: such a submission cannot be recognised when it comes again.
    """
    if not request_id:
        return None
    content = json.dumps(
        {"request": request_id, "data": data, "documents": list(blobs)}, sort_keys=True, default=str
    )
    return hmac.new(secret.encode(), content.encode(), hashlib.sha256).digest()


def same_request(earlier: Mapping | None, request: str) -> bool:
    """Return whether a complaint holding the number a repeat draws first was filed by that request."""
    return earlier is not None and earlier.get("request") == request


# ---- anonymisation --------------------------------------------------------------------------


def erased(language: str | None, documents: list[dict] | None = None) -> dict:
    """Return what anonymising a complaint writes: no contact, address, point or consent to publish.

    The language stays, as it was (French when it was none): it names no one. Its `documents`,
    when given, are written again without the points their photos carried.
    """
    fields = {
        "citizen": {"name": None, "email": None, "phone": None, "language": language or DEFAULT_LANGUAGE},
        "address": None,
        "location": None,
        "nearest_district": None,
        "publish": False,
        "anonymised": True,
    }
    if documents is not None:
        fields["documents"] = [{k: v for k, v in d.items() if k != "point"} for d in documents]
    return fields


# ---- Open311's fields -----------------------------------------------------------------------

OPEN311_ATTRIBUTES = ("district", "kind", "publish")
# What an Open311 client says of itself, kept with the complaint's channel (never shown to citizens).
OPEN311_CHANNEL_FIELDS = ("address_id", "device_id", "account_id", "media_url")
SUBJECT_LENGTH = 120


def open311_locale(value: str | None) -> Language:
    """Return the language a request asks for (`fr_MA`, `ar`, `EN`…), French when it is not one of ours."""
    code = (value or DEFAULT_LANGUAGE)[:2].lower()
    return Language(code) if code in tuple(Language) else DEFAULT_LANGUAGE


def open311_kind(attributes: Mapping[str, str]) -> Kind | None:
    """Return the kind a request's attribute names (a complaint when absent), or None when it is no kind."""
    value = attributes.get("kind", Kind.COMPLAINT)
    return Kind(value) if value in tuple(Kind) else None


def open311_publish(attributes: Mapping[str, str]) -> bool | None:
    """Return the citizen's consent to publish (`true` or `false`, off when absent), or None when neither."""
    return {"true": True, "false": False}.get(attributes.get("publish", "false").lower())


def open311_subject(description: str | None, service_name: str) -> str:
    """Return a subject: the description's first line, shortened at a word, or the service's name."""
    line = (description or "").strip().splitlines()[0].strip() if description else ""
    if not line:
        return service_name
    if len(line) <= SUBJECT_LENGTH:
        return line
    return line[:SUBJECT_LENGTH].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


def open311_complaint(
    form: Mapping, *, kind: Kind, district: str | None, service_name: str, locale: Language, publish: bool
) -> dict:
    """Return a service request's parameters as the complaint's fields, as a citizen's form gives them.

    The client vouches for the citizen's consent to the processing, as it is sent with the key.
    """
    name = " ".join(part for part in (form.get("first_name"), form.get("last_name")) if part) or None
    address_id = form.get("address_id")
    return {
        "kind": kind,
        "category": form["service_code"],
        "district": district,
        "subject": open311_subject(form.get("description"), service_name),
        "description": form.get("description") or service_name,
        "address": form.get("address_string") or (f"address_id {address_id}" if address_id else None),
        "location": {"lat": form["lat"], "lon": form["long"]} if "lat" in form else None,
        "citizen": {"name": name, "email": form.get("email"), "phone": form.get("phone"), "language": locale},
        "consent": True,
        "publish": publish,
    }


def open311_channel(form: Mapping, *, key_id: str, token: str) -> dict:
    """Return where an Open311 request came from: the key, the token it was answered, what the client said."""
    return {
        "via": Channel.OPEN311,
        "api_key": key_id,
        "token": token,
        **{k: form[k] for k in OPEN311_CHANNEL_FIELDS if k in form},
    }
