"""The shape of intake's records: the complaint as filed, the catalogue, API keys, canned answers, its event.

Documents stay plain dicts, as pymongo returns them; these types say which keys they hold.
`filed_complaint` is the one place a filed complaint's document is put together.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NotRequired, TypedDict

from common.documents import Copies, CopySizes
from common.vocabulary import Channel, Kind, Language, Status
from services.intake import rules


class Names(TypedDict):
    fr: str
    ar: str
    en: str


class Point(TypedDict):
    lat: float
    lon: float


class Citizen(TypedDict):
    name: str | None
    email: str | None  # None once anonymised, or from an Open311 client that gave none
    phone: NotRequired[str | None]
    language: Language


class Consent(TypedDict):
    given: bool
    at: datetime


class Document(TypedDict):
    """A document sent with the submission; its bytes are the blob's (common/blobs.py)."""

    id: str
    blob: str
    filename: str
    content_type: str
    size: int
    copies: NotRequired[Copies]  # a photo's (common/documents.py)
    copy_sizes: NotRequired[CopySizes]
    point: NotRequired[Point]  # the GPS position the photo carried


class Origin(TypedDict):
    """Where a complaint came from: the citizen's form, or an Open311 client with its key and token."""

    via: Channel
    api_key: NotRequired[str]
    token: NotRequired[str]
    address_id: NotRequired[str]
    device_id: NotRequired[str]
    account_id: NotRequired[str]
    media_url: NotRequired[str]


class Complaint(TypedDict):
    """A complaint in `intake_complaints`, as it was filed (tracking owns what happens next)."""

    _id: str  # its number
    kind: Kind
    category: str
    district: str | None  # None: an Open311 request for staff to place
    subject: str
    description: str
    address: str | None
    location: Point | None
    citizen: Citizen
    nearest_district: str | None
    department: str
    consent: Consent
    publish: bool
    submitted_at: datetime
    ack_due: datetime
    answer_due: datetime
    documents: list[Document]
    channel: Origin
    request: NotRequired[str]  # the keyed hash of a repeatable request (rules.repeat_digest)
    anonymised: NotRequired[bool]
    outbox: NotRequired[dict]  # its events until the broker confirmed them (common/outbox.py)


class Audit(TypedDict):
    at: datetime
    by: str
    action: str  # created, changed
    changes: NotRequired[list[str]]


class District(TypedDict):
    """A district in `catalog_districts`."""

    _id: str
    name: Names
    center: Point | None
    boundary: NotRequired[str | None]  # GeoJSON text (boundaries.py): FerretDB 1.x keeps no nested arrays
    position: int
    active: bool
    history: NotRequired[list[Audit]]


class Category(TypedDict):
    """A category in `catalog_categories`: who treats it, and its deadlines in days."""

    _id: str
    name: Names
    department: str
    ack_days: int
    answer_days: int
    position: int
    active: bool
    history: NotRequired[list[Audit]]


class ApiKey(TypedDict):
    """An Open311 API key in `open311_keys`, found by its digest; the key itself is never kept."""

    _id: str  # the key's SHA-256 digest
    id: str
    name: str
    hint: str
    active: bool
    created_at: datetime
    created_by: str
    revoked_at: NotRequired[datetime]
    revoked_by: NotRequired[str]
    last_used_at: NotRequired[datetime]


class CannedAnswer(TypedDict):
    """A canned answer in `catalog_answers`: a public note to be, per category and target status."""

    _id: str
    category: str
    status: Status
    title: str
    text: Names
    updated_at: datetime
    updated_by: str


class SubmittedData(TypedDict):
    """The data of complaint.submitted: the whole complaint, with the catalogue's names."""

    number: str
    kind: Kind
    category: str
    category_name: Names
    department: str
    district: str | None
    district_name: Names | None
    subject: str
    description: str
    address: str | None
    location: Point | None
    nearest_district: str | None
    citizen: Citizen
    publish: bool
    submitted_at: str
    ack_due: str
    answer_due: str
    ack_days: int
    answer_days: int
    documents: list[Document]
    channel: Channel
    media_url: str | None


FILED_FIELDS = ("kind", "category", "district", "subject", "description", "address", "location", "citizen")


def filed_complaint(
    data: Mapping,
    *,
    number: str,
    now: datetime,
    category: Mapping,
    nearest: str | None = None,
    documents: list[Document] | None = None,
    channel: Origin | None = None,
    request: str | None = None,
) -> Complaint:
    """Return the document of a complaint filed `now` from its checked fields, with its deadlines.

    `data` holds the fields of FILED_FIELDS (the district already placed) and `publish`; `category`
    is the catalogue's entry it names; `request` the digest that recognises it when sent again.
    """
    ack_due, answer_due = rules.deadlines(now, category["ack_days"], category["answer_days"])
    complaint: Complaint = {
        "_id": number,
        **{key: data[key] for key in FILED_FIELDS},  # type: ignore[typeddict-item]
        "nearest_district": nearest,
        "department": category["department"],
        "consent": {"given": True, "at": now},
        "publish": data.get("publish", False),
        "submitted_at": now,
        "ack_due": ack_due,
        "answer_due": answer_due,
        "documents": documents or [],
        "channel": channel or {"via": Channel.WEB},
    }
    if request is not None:
        complaint["request"] = request
    return complaint
