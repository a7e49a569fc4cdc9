"""The shape of tracking's records and of the data of the events it publishes.

Documents stay the plain dicts pymongo returns (no conversion on the hot paths): these types say
what is in them. Times are aware datetimes in documents, RFC 3339 text in events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, TypedDict

from common.documents import Copies, CopySizes
from common.vocabulary import Actor, Channel, Deadline, Kind, Language, Outcome, Role, Status


class Citizen(TypedDict):
    name: str | None
    email: str | None  # None once anonymised
    phone: NotRequired[str | None]
    language: NotRequired[Language]


class Location(TypedDict):
    lat: float
    lon: float


class TimelineEntry(TypedDict):
    at: datetime
    status: Status
    note: str | None  # the public note (a reopening's reason, by the citizen)
    by: Actor
    event_id: str | None  # its complaint.status_changed, whose email marks it `notified_at`
    reason: NotRequired[str | None]  # a rejection's
    actor: NotRequired[str]  # the staff member's username: staff only
    internal_note: NotRequired[str | None]  # staff only, never in an event
    notified_at: NotRequired[datetime]


class Document(TypedDict):
    id: str
    blob: str  # common/blobs.py's key of its bytes
    filename: str
    content_type: str
    size: int
    by: Actor
    added_at: datetime
    copies: NotRequired[Copies]  # a photo's thumbnail and display copy (common/documents.py)
    copy_sizes: NotRequired[CopySizes]
    point: NotRequired[Location]  # the GPS position the photo carried


class Remark(TypedDict):
    id: str
    text: str
    by: Actor
    at: datetime


class Rating(TypedDict):
    answer: int  # which answer: answer_seq at the time
    at: datetime
    satisfaction: int
    outcome: Outcome
    comment: str | None


class Note(TypedDict):
    """An internal note: staff only."""

    id: str
    at: datetime
    actor: str
    text: str


class Assignment(TypedDict):
    department: str | None
    agent: str | None
    at: datetime
    by: str


class Follower(TypedDict):
    """Someone emailed at each step, under a digest of their address (following.follower_id)."""

    email: str
    language: Language
    via: str  # "follow" (asked and confirmed) or "merge" (carried from a duplicate)
    confirmed: NotRequired[bool]  # False until the emailed link is followed
    requested_at: NotRequired[datetime]
    expires_at: NotRequired[datetime]  # while pending
    since: NotRequired[datetime]  # once confirmed
    merged_from: NotRequired[str]  # the citizen's own complaint, merged into this one
    moved_from: NotRequired[str]  # the duplicate they followed


class AuditEntry(TypedDict):
    at: datetime
    actor: str
    role: Role | Actor  # Actor.SYSTEM for the platform's own actions
    action: str
    # The action's details, some of: previous, status, department, agent, district, document,
    # duplicate, into, reason, personal_data, filters, copy (a photo's display copy opened).
    previous: NotRequired[str | None]
    status: NotRequired[Status]


class Complaint(TypedDict):
    """The complaint as tracking keeps it in tracking_complaints (`_id` is its number)."""

    _id: str
    kind: Kind
    category: str
    category_name: dict | None
    department: str | None
    district: str | None  # None: an Open311 request for staff to place
    nearest_district: str | None
    subject: str
    description: str
    address: str | None
    location: Location | None
    cell: str | None  # the point's grid cell (nearby.keys)
    address_key: str | None  # the address's folded words (nearby.keys)
    channel: Channel
    media_url: str | None
    citizen: Citizen
    publish: bool  # consent to publish its words and place (Open311, nearby)
    email_key: str  # the citizen's address as compared; "" once anonymised
    status: Status
    submitted_at: datetime
    updated_at: datetime
    ack_due: datetime
    answer_due: datetime  # moved on by a reopening
    answer_days: int
    first_answer_due: datetime
    timeline: list[TimelineEntry]
    documents: list[Document]
    remarks: list[Remark]
    notes: list[Note]
    feedback: list[Rating]
    reopen_count: int
    answer_seq: int  # how many answers were given: the rating's `answer`
    rated_answer: NotRequired[int]
    overdue_notified: list[str]  # "<deadline>:<due>" of each complaint.overdue published
    audit: list[AuditEntry]
    recorded_at: datetime
    acknowledged_at: NotRequired[datetime]
    answered_at: NotRequired[datetime]
    reopened_at: NotRequired[datetime]
    closed_at: NotRequired[datetime]
    placed_at: NotRequired[datetime]
    anonymised_at: NotRequired[datetime]
    assignment: NotRequired[Assignment]
    agent: NotRequired[str | None]  # the assignment's, at the top level for its index
    followers: NotRequired[dict[str, Follower]]
    duplicates: NotRequired[list[str]]  # merged into this one
    duplicate_of: NotRequired[str]  # the complaint a merge closed this one into
    outbox: NotRequired[dict[str, dict]]  # events to publish, by id (common/outbox.py)


class Changes(TypedDict, total=False):
    """What a change of a complaint writes, as plain values: store.py makes them its update.

    A field named with a dot is one entry of a map ("followers.<key>").
    """

    set: dict[str, Any]  # the fields' new values
    append: dict[str, list]  # items added at the end of these lists
    remove: list[str]  # fields removed
    events: list[dict]  # the events it causes, written in the same write (the outbox)


def audit_entry(claims: dict, action: str, at: datetime, **details) -> AuditEntry:
    """Return an entry of a complaint's audit trail: who did what, when."""
    return {"at": at, "actor": claims["sub"], "role": claims["role"], "action": action, **details}


# The data of the events tracking publishes (docs/asyncapi.yaml), beside the envelope's fields.
class ComplaintData(TypedDict):
    number: str
    district: str | None
    category: str
    department: str | None


class StatusChangedData(ComplaintData):
    previous: Status
    status: Status
    at: str
    by: Actor
    public_note: str | None
    reason: str | None
    answer_due: str
    reopen_count: int
    # Until when the citizen may reopen (rules.reopen_until); None when they may not.
    reopen_until: str | None
    published: bool
    duplicate_of: str | None


class ReopenedData(ComplaintData):
    reason: str
    at: str
    reopen_count: int
    answer_due: str


class DocumentAddedData(ComplaintData):
    document: dict  # id, filename, content_type, size
    by: Actor
    at: str


class RemarkAddedData(ComplaintData):
    remark_id: str
    text: str
    by: Actor
    at: str


class AssignedData(ComplaintData):
    assigned_department: str | None
    agent: str | None
    at: str


class PlacedData(ComplaintData):
    previous_district: str | None
    district_name: dict
    at: str
    by: Actor


class FollowerData(TypedDict):
    id: str
    email: str
    language: Language


class FollowRequestedData(ComplaintData):
    follower: FollowerData
    at: str
    expires_at: str


class FollowedData(ComplaintData):
    follower: FollowerData
    via: str
    merged_from: str | None
    moved_from: str | None
    at: str


class UnfollowedData(ComplaintData):
    follower_id: str
    at: str
    reason: str


class MergedData(ComplaintData):
    into: str
    at: str
    by: Actor
    followers_moved: int


class AnonymisedData(ComplaintData):
    at: str
    reason: str
    followers_removed: bool


class FeedbackGivenData(ComplaintData):
    answer: int
    satisfaction: int
    outcome: Outcome
    comment: str | None
    at: str


class OverdueData(ComplaintData):
    deadline: Deadline
    due: str
    status: Status
    at: str


class MemberChangedData(TypedDict):
    username: str
    role: Role
    districts: list[str]
    name: str | None
    email: str | None
    language: Language
    active: bool


class Alert(TypedDict):
    """A subscription to the alerts for a place (tracking_alerts, alerts.py): personal data."""

    _id: str  # a digest of the address and the place (alerts.alert_id)
    key: str  # the address's digest, as a follower's (following.follower_id): its caps, export, erasure
    email: str
    language: Language
    frequency: str  # common.vocabulary.Frequency: "each" or "weekly"
    district: str | None  # a district's alerts, else None
    district_name: dict | None  # its names, for the emails
    lat: float | None  # a point's alerts, else None (and so are the radius and the box)
    lon: float | None
    radius_m: int | None
    lat_min: float | None  # the box around the circle (rules.alert_box), the store's prefilter
    lat_max: float | None
    lon_min: float | None
    lon_max: float | None
    state: str  # "pending" until confirmed, then "confirmed"
    requested_at: datetime
    expires_at: datetime | None  # while pending: then it is deleted
    since: NotRequired[datetime]  # once confirmed: reports filed from then on are sent
    digest_due: NotRequired[datetime | None]  # a weekly subscriber's next digest
    digest: NotRequired[dict[str, dict]]  # the reports collected for it, by number (rules.report_of)
    outbox: NotRequired[dict[str, dict]]
