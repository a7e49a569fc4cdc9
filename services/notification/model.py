"""The shapes notification keeps and reads: its documents, the event fields it uses, the emails it plans.

Documents stay the plain dicts pymongo returns; these declare their keys for readers and type
checkers. Of another service's events, only the fields notification reads are declared (a tolerant
reader): anything else an event carries is ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, NotRequired, TypedDict

# ---- what notification stores ----------------------------------------------------------------


class Follower(TypedDict):
    """A confirmed follower of a complaint, kept on its contact under the digest of their address."""

    email: NotRequired[str]  # absent once removed
    language: NotRequired[str]
    since: NotRequired[str]  # RFC 3339: when they followed
    removed_at: NotRequired[str]  # RFC 3339: when they were removed (a late follow stays out)


class Contact(TypedDict):
    """`notification_complaints`: whom to write to about a complaint, and its names (by number)."""

    _id: str  # the complaint's number
    email: str | None  # None for an Open311 request without an address, or once anonymised
    name: NotRequired[str | None]
    language: NotRequired[str]
    district: str | None  # None until staff place an Open311 request
    district_name: dict[str, str]  # by language
    category: str
    category_name: dict[str, str]
    subject: str
    description: str
    kind: str
    ack_due: NotRequired[str]
    answer_due: NotRequired[str]
    placed_at: NotRequired[datetime]
    followers: NotRequired[dict[str, Follower]]
    followers_removed_at: NotRequired[str]


class StaffMember(TypedDict):
    """`notification_staff`: a member of the staff directory, by username."""

    _id: str
    username: str
    role: str
    districts: list[str]  # "*" for every district
    name: str | None
    email: str | None
    language: str | None
    active: bool
    changed_at: datetime


class Delivery(TypedDict):
    """`notification_deliveries`: one email of one event to one address (kept by a hash, never in clear)."""

    _id: str  # `<event id>:<template>:<hash of the address>`
    number: str
    template: str
    recipient_hash: str
    recipient_role: str
    status: Literal["sending", "sent", "failed", "capped"]
    attempts: int
    created_at: datetime
    done_at: NotRequired[datetime]
    last_attempt_at: NotRequired[datetime]
    error: NotRequired[str]
    outbox: NotRequired[dict[str, dict]]


class Report(TypedDict):
    """The data of `notification.sent`; `notification.failed` adds `reason` and `status`."""

    number: str | None
    template: str
    recipient_role: str
    language: str
    trigger: str  # the type of the event that called for the email
    trigger_id: str
    alert: NotRequired[str]  # an alert's email: the subscription's id (`number` is null but for a report's)


# ---- the events notification reads (only the fields it uses) ---------------------------------


class Event(TypedDict):
    """A CloudEvent as consumed: its id, type, time and data."""

    id: str
    type: str
    time: str
    data: dict


class Citizen(TypedDict):
    email: str | None
    name: NotRequired[str | None]
    language: NotRequired[str | None]


class SubmittedData(TypedDict):
    number: str
    kind: str
    category: str
    category_name: NotRequired[dict[str, str] | None]
    district: str | None
    district_name: NotRequired[dict[str, str] | None]
    subject: str
    description: str
    citizen: Citizen
    submitted_at: str
    ack_due: str
    answer_due: str


class PlacedData(TypedDict):
    number: str
    district: str
    district_name: NotRequired[dict[str, str] | None]
    at: str


class StatusChangedData(TypedDict):
    number: str
    status: str
    at: str
    by: NotRequired[str]
    public_note: NotRequired[str | None]
    reason: NotRequired[str | None]
    answer_due: NotRequired[str]
    # Until when the citizen may reopen (RFC 3339), or None when they may not; tracking decides.
    reopen_until: NotRequired[str | None]
    published: NotRequired[bool]
    duplicate_of: NotRequired[str | None]


class FollowerData(TypedDict):
    id: str  # the digest of the address: the key of the follower on the contact
    email: str
    language: NotRequired[str | None]


class FollowRequestedData(TypedDict):
    number: str
    follower: FollowerData
    expires_at: str


class FollowedData(TypedDict):
    number: str
    follower: FollowerData
    at: str
    via: NotRequired[str]  # "follow", or "merge" when a merge brought them
    merged_from: NotRequired[str | None]
    moved_from: NotRequired[str | None]


class UnfollowedData(TypedDict):
    number: str
    follower_id: str
    at: str


class ReopenedData(TypedDict):
    number: str
    reason: str
    reopen_count: NotRequired[int]
    answer_due: str


class CitizenUpdateData(TypedDict):
    """The data of `complaint.document_added` and `complaint.remark_added`."""

    number: str
    by: NotRequired[str]
    document: NotRequired[dict | None]  # its `filename`
    text: NotRequired[str | None]


class OverdueData(TypedDict):
    number: str
    deadline: str
    due: str
    status: NotRequired[str | None]


class AnonymisedData(TypedDict):
    number: str
    at: str
    followers_removed: NotRequired[bool]


class MemberChangedData(TypedDict):
    username: str
    role: str
    districts: list[str]
    name: NotRequired[str | None]
    email: NotRequired[str | None]
    language: NotRequired[str | None]
    active: NotRequired[bool]


class AlertData(TypedDict):
    """The subscription an alert event is for: its address, language and place."""

    id: str  # the subscription's id, which its links name
    email: str
    language: NotRequired[str | None]
    frequency: str
    district: str | None
    district_name: NotRequired[dict[str, str] | None]
    lat: float | None
    lon: float | None
    radius_m: int | None


class ReportData(TypedDict):
    """A published report as alerts tell it: never anything of its citizen."""

    number: str
    kind: str
    category: str
    category_name: NotRequired[dict[str, str] | None]
    district: str | None
    district_name: NotRequired[dict[str, str] | None]
    status: str
    subject: str
    submitted_at: str
    distance_m: NotRequired[int | None]


class AlertRequestedData(TypedDict):
    alert: AlertData
    expires_at: str


class AlertMatchedData(TypedDict):
    number: str  # the report's
    alert: AlertData
    report: ReportData
    distance_m: int | None


class AlertDigestData(TypedDict):
    alert: AlertData
    reports: list[ReportData]
    total: int
    since: str
    until: str


# ---- what plan() decides ---------------------------------------------------------------------

# The link an email carries, added when it is sent (links are signed): the citizen's link that
# opens the complaint, a follower's link to stop following or to confirm, the staff's back office,
# and a subscriber's to confirm their alerts or stop them (with the public reports' address).
Link = Literal["complaint", "unfollow", "confirm", "staff", "alert_confirm", "alert"]


class Email(TypedDict):
    """One email to send: to whom, as whom, which template in which language, with what to say."""

    recipient: str
    role: str  # "citizen", "follower", or the member's role
    template: str
    language: str
    context: dict
    link: Link
    follower_id: NotRequired[str]  # the follower's key, which their links name
    alert_id: NotRequired[str]  # the subscription's id, which its links name
