"""The names notification's handlers had before they moved, kept for their callers (tests among them).

Handlers are in handlers.py, who gets which email in rules.py, sending in delivery.py, the links
in links.py: new code imports from there.
"""

from services.notification.handlers import (
    NotYetKnown,
    on_anonymised,
    on_citizen_update,
    on_follow_requested,
    on_followed,
    on_member_changed,
    on_overdue,
    on_placed,
    on_reopened,
    on_status_changed,
    on_submitted,
    on_unfollowed,
)
from services.notification.links import complaint_link, public_url

__all__ = [
    "NotYetKnown",
    "complaint_link",
    "on_anonymised",
    "on_citizen_update",
    "on_follow_requested",
    "on_followed",
    "on_member_changed",
    "on_overdue",
    "on_placed",
    "on_reopened",
    "on_status_changed",
    "on_submitted",
    "on_unfollowed",
    "public_url",
]
