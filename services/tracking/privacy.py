"""The citizen's personal data (law 09-08): anonymised after the retention period, exported and
erased on request by an administrator.

Anonymising a complaint removes what identifies its citizen: name, email and phone, the address and
the point (its photos' points too), and the citizen's own words that came after the filing
(remarks, rating comments, reopening reasons), and the consent to publish: Open311 no longer shows
the subject, description or any note. The complaint itself (category, district, subject,
description, timeline and the staff's answers) stays as the administration's record, and the
figures are unchanged. Its followers are other people who reported the same thing: a closed
complaint loses them, an open one (its citizen asked for erasure) keeps them. Tracking publishes
`complaint.anonymised`, on which intake and notification erase their own copies.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo.database import Database

from common import config, tokens
from common.envelope import utcnow
from common.errors import NotFound
from common.vocabulary import Actor, Language, Role, Status
from services.tracking import alerts, events, following, store, views
from services.tracking.model import Changes, Complaint
from services.tracking.rules import normalize_email

REMOVED = "[anonymised]"


def retention() -> timedelta:
    """Return how long a closed complaint keeps its citizen's data (24 months by default)."""
    return timedelta(days=config.settings().retention_days)


def anonymise(db: Database, number: str, *, reason: str, by: str = Actor.SYSTEM) -> bool:
    """Anonymise one complaint; return False when it already was."""

    def change(current: Complaint, at: datetime) -> Changes:
        if current.get("anonymised_at"):
            return {}
        language = (current.get("citizen") or {}).get("language") or Language.FR
        # Its followers are other people, who reported the same thing: an open complaint keeps
        # them (its answer is theirs too); a closed one is done with them.
        still_open = current["status"] != Status.CLOSED
        timeline = [
            {**entry, "note": REMOVED} if entry.get("by") == Actor.CITIZEN and entry.get("note") else entry
            for entry in current.get("timeline", [])
        ]
        return {
            "set": {
                "citizen": {"name": None, "email": None, "phone": None, "language": language},
                "email_key": "",
                "address": None,
                "location": None,
                "nearest_district": None,
                "cell": None,
                "address_key": None,
                "followers": current.get("followers") or {} if still_open else {},
                "publish": False,
                "remarks": [{**r, "text": REMOVED} for r in current.get("remarks", [])],
                "feedback": [
                    {**f, "comment": REMOVED if f.get("comment") else None}
                    for f in current.get("feedback", [])
                ],
                "timeline": timeline,
                "documents": [
                    {k: v for k, v in d.items() if k != "point"} for d in current.get("documents", [])
                ],
                "anonymised_at": at,
            },
            "append": {
                "audit": [
                    {
                        "at": at,
                        "actor": by,
                        "role": Actor.SYSTEM if by == Actor.SYSTEM else Role.ADMIN,
                        "action": "anonymised",
                        "reason": reason,
                    }
                ]
            },
            "events": [events.anonymised(current, at=at, reason=reason, followers_removed=not still_open)],
        }

    before = store.find_by_number(db, number)
    after = store.apply(db, number, change, touch=False)
    return bool(before and not before.get("anonymised_at") and after.get("anonymised_at"))


def anonymise_expired(db: Database, now: datetime | None = None) -> int:
    """Anonymise the complaints closed longer ago than the retention period; return how many."""
    horizon = (now or utcnow()) - retention()
    due = store.closed_before(db, horizon)
    return sum(anonymise(db, complaint["_id"], reason="retention") for complaint in due)


def _follows(db: Database, email: str) -> list[dict]:
    """Return the complaints the address follows or asked to follow, with how (none of its own)."""
    key = following.follower_id(email)
    found = []
    for number in store.follows_of(db, key):
        complaint = store.find_by_number(db, number, fields=("followers", "status"))
        follower = ((complaint or {}).get("followers") or {}).get(key)
        if follower is not None:
            found.append(
                {
                    "number": number,
                    "status": complaint["status"],
                    "language": follower.get("language"),
                    "via": follower.get("via"),
                    "merged_from": follower.get("merged_from"),
                    "confirmed": not following.is_pending(follower),
                    "since": views.time_text(follower.get("since") or follower.get("requested_at")),
                }
            )
    return found


def _citizen_data(db: Database, email: str) -> tuple[list[dict], list[dict], list[dict]]:
    """Return a citizen's complaints, follows and alerts for a place; 404 when the platform has none."""
    complaints = store.find_by_email_key(db, normalize_email(email))
    follows = _follows(db, email)
    subscriptions = [{**a, "since": views.time_text(a["since"])} for a in alerts.of_address(db, email)]
    if not complaints and not follows and not subscriptions:
        raise NotFound("No complaint has this email address, and it follows none and has no alerts.")
    return complaints, follows, subscriptions


def export(db: Database, claims: dict, email: str) -> dict:
    """Return everything the platform keeps about a citizen, for their access request (admins)."""
    tokens.require_role(claims, Role.ADMIN)
    complaints, follows, subscriptions = _citizen_data(db, email)
    now = utcnow()
    store.log_export(
        db,
        {
            "at": now,
            "by": claims["sub"],
            "kind": "citizen",
            "complaints": [c["_id"] for c in complaints],
            "follows": [f["number"] for f in follows],
        },
    )
    for complaint in complaints:
        store.append_audit(
            db,
            complaint["_id"],
            {"at": now, "actor": claims["sub"], "role": claims["role"], "action": "citizen_export"},
        )
    return {
        "email": email,
        "complaints": [views.staff_view(c, now) for c in complaints],
        "follows": follows,
        "alerts": subscriptions,
    }


def erase(db: Database, claims: dict, email: str) -> dict:
    """Erase a citizen at their request (admins): anonymise their complaints, end every follow.

    Anonymising a complaint ends its citizen's access tokens at once (domain.authorize), and the
    address stops following every complaint, confirmed or not (complaint.unfollowed, on which
    notification forgets it). Its alerts for a place are deleted. Return the numbers of both, and
    how many alerts were deleted.
    """
    tokens.require_role(claims, Role.ADMIN)
    complaints, follows, _alerts = _citizen_data(db, email)
    numbers = [c["_id"] for c in complaints]
    for number in numbers:
        anonymise(db, number, reason="request", by=claims["sub"])
    key = following.follower_id(email)
    for number in store.follows_of(db, key):
        following.remove(db, number, key, reason="erased")
    removed = alerts.erase(db, email)
    return {"anonymised": numbers, "unfollowed": [f["number"] for f in follows], "alerts_removed": removed}
