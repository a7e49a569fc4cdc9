"""The platform's words: the values the contract names, declared once for every service.

These are the enums of docs/asyncapi.yaml and PRODUCT.md (a test holds them to the document), not
rules: which status may follow which is tracking's, who is emailed what is notification's. They live
beside the plumbing because every service, the gateway and the tests speak them. A member is its
value (`Status.RECEIVED == "received"`), so documents and events keep plain strings.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a complaint is in its life (PRODUCT.md's state table)."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    REOPENED = "reopened"
    CLOSED = "closed"


# Awaiting the city's answer: the staff's queue and the overdue sweep count these.
OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED)
# Answered: the citizen may rate the answer, or reopen it within the window.
ANSWERED_STATUSES = (Status.RESOLVED, Status.REJECTED)


class Kind(StrEnum):
    """What the citizen brings: a complaint, a claim or a suggestion."""

    COMPLAINT = "complaint"
    CLAIM = "claim"
    SUGGESTION = "suggestion"


class Language(StrEnum):
    """The languages a citizen, a member and the pages use; French unless asked."""

    FR = "fr"
    AR = "ar"
    EN = "en"


DEFAULT_LANGUAGE = Language.FR
RIGHT_TO_LEFT = (Language.AR,)


class Role(StrEnum):
    """A staff member's role: agents treat, supervisors also decide, administrators run the city."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


# Members who belong to districts and treat their complaints (administrators see every district).
DISTRICT_ROLES = (Role.AGENT, Role.SUPERVISOR)
# Who may decide: close by hand, merge duplicates, read the audit trail.
DECIDING_ROLES = (Role.SUPERVISOR, Role.ADMIN)


class Actor(StrEnum):
    """Who made a change on the timeline."""

    CITIZEN = "citizen"
    STAFF = "staff"
    SYSTEM = "system"


class Outcome(StrEnum):
    """The citizen's word on whether the answer settled their problem."""

    RESOLVED = "resolved"
    PARTIALLY_RESOLVED = "partially_resolved"
    NOT_RESOLVED = "not_resolved"


class Channel(StrEnum):
    """Where a complaint was filed."""

    WEB = "web"
    OPEN311 = "open311"


class Deadline(StrEnum):
    """The two legal deadlines of a complaint."""

    ACKNOWLEDGEMENT = "acknowledgement"
    ANSWER = "answer"


class Frequency(StrEnum):
    """How often a subscriber to the alerts for a place is emailed: at each new report, or weekly."""

    EACH = "each"
    WEEKLY = "weekly"


class EventType(StrEnum):
    """The events' types, which are also their routing keys."""

    SUBMITTED = "complaint.submitted"
    DOCUMENT_ADDED = "complaint.document_added"
    REMARK_ADDED = "complaint.remark_added"
    ASSIGNED = "complaint.assigned"
    PLACED = "complaint.placed"
    ANONYMISED = "complaint.anonymised"
    FOLLOW_REQUESTED = "complaint.follow_requested"
    FOLLOWED = "complaint.followed"
    UNFOLLOWED = "complaint.unfollowed"
    MERGED = "complaint.merged"
    STATUS_CHANGED = "complaint.status_changed"
    REOPENED = "complaint.reopened"
    FEEDBACK_GIVEN = "complaint.feedback_given"
    OVERDUE = "complaint.overdue"
    MEMBER_CHANGED = "staff.member_changed"
    ALERT_REQUESTED = "alert.requested"
    ALERT_MATCHED = "alert.matched"
    ALERT_DIGEST_COMPILED = "alert.digest_compiled"
    NOTIFICATION_SENT = "notification.sent"
    NOTIFICATION_FAILED = "notification.failed"
