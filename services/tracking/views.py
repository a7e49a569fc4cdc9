"""What each reader sees of a complaint: the citizen's view, the staff's view, a queue line."""

from __future__ import annotations

from datetime import datetime

from common.envelope import isoformat, utcnow
from services.tracking import policy, rules
from services.tracking.model import Complaint


def time_text(value) -> str:
    """Return a stored time as RFC 3339 text."""
    return isoformat(value) if isinstance(value, datetime) else value


def document_view(document: dict) -> dict:
    """Return a document's description (never where its bytes are stored).

    A photo's has its `copies`, each by its size in pixels (…/documents/{id}/thumb and /display
    serve them), and the GPS `point` it carried.
    """
    view = {
        "id": document["id"],
        "filename": document["filename"],
        "content_type": document["content_type"],
        "size": document["size"],
        "added_at": time_text(document["added_at"]),
        "by": document["by"],
    }
    if document.get("copies"):
        sizes = document.get("copy_sizes") or {}
        view["copies"] = {name: sizes.get(name) for name in document["copies"]}
    if document.get("point"):
        view["point"] = document["point"]
    return view


def remark_view(remark: dict) -> dict:
    """Return a remark as the citizen and staff see it."""
    return {"id": remark["id"], "at": time_text(remark["at"]), "text": remark["text"], "by": remark["by"]}


def feedback_view(rating: dict) -> dict:
    """Return a rating as the citizen and staff see it."""
    return {
        "answer": rating["answer"],
        "at": time_text(rating["at"]),
        "satisfaction": rating["satisfaction"],
        "outcome": rating["outcome"],
        "comment": rating.get("comment"),
    }


def public_view(complaint: Complaint, now: datetime | None = None) -> dict:
    """Return what the citizen sees: no internal note, no staff name, no contact data."""
    now = now or utcnow()
    return {
        "number": complaint["_id"],
        "kind": complaint["kind"],
        "category": complaint["category"],
        "district": complaint["district"],
        "subject": complaint["subject"],
        "description": complaint["description"],
        "address": complaint.get("address"),
        "location": complaint.get("location"),
        "nearest_district": complaint.get("nearest_district"),
        "duplicate_of": complaint.get("duplicate_of"),
        "publish": complaint.get("publish") is True,
        "status": complaint["status"],
        "submitted_at": time_text(complaint["submitted_at"]),
        "updated_at": time_text(complaint["updated_at"]),
        "ack_due": time_text(complaint["ack_due"]),
        "answer_due": time_text(complaint["answer_due"]),
        "timeline": [
            {
                "at": time_text(entry["at"]),
                "status": entry["status"],
                "note": entry.get("note"),
                "by": entry["by"],
                **({"reason": entry["reason"]} if entry.get("reason") else {}),
                **({"notified_at": time_text(entry["notified_at"])} if entry.get("notified_at") else {}),
            }
            for entry in complaint.get("timeline", [])
        ],
        "documents": [document_view(d) for d in complaint.get("documents", [])],
        "remarks": [remark_view(r) for r in complaint.get("remarks", [])],
        "feedback": [feedback_view(f) for f in complaint.get("feedback", [])],
        "reopen_count": complaint.get("reopen_count", 0),
        "can_reopen": rules.can_reopen(complaint, now, **policy.reopening()),
        "can_rate": rules.can_rate(complaint),
    }


def staff_view(
    complaint: Complaint, now: datetime | None = None, *, role: str | None = None, names: dict | None = None
) -> dict:
    """Return the citizen's view plus contact, internal notes, actors and assignment.

    With the member's role, `transitions` lists the statuses they may move it to now; `names`
    are the staff members' names by username.
    """
    now = now or utcnow()
    view = public_view(complaint, now)
    view["timeline"] = [
        {
            **public,
            "actor": entry.get("actor"),
            "internal_note": entry.get("internal_note"),
            "reason": entry.get("reason"),
        }
        for public, entry in zip(view["timeline"], complaint.get("timeline", []), strict=True)
    ]
    view["notes"] = [
        {"at": time_text(n["at"]), "actor": n["actor"], "text": n["text"]} for n in complaint.get("notes", [])
    ]
    view["citizen"] = complaint.get("citizen", {})
    view["department"] = complaint.get("department")
    view["assignment"] = _assignment(complaint.get("assignment"), names or {})
    view["overdue"] = rules.is_overdue(complaint, now)
    view["duplicates"] = list(complaint.get("duplicates", []))
    # Those who confirmed: a request to follow is not a follower yet.
    view["followers"] = sum(
        f.get("confirmed") is not False for f in (complaint.get("followers") or {}).values()
    )
    if role:
        view["transitions"] = rules.staff_targets(role, complaint["status"])
    return view


def _assignment(assignment: dict | None, names: dict) -> dict | None:
    if not assignment:
        return None
    return {
        "department": assignment.get("department"),
        "agent": assignment.get("agent"),
        "agent_name": names.get(assignment.get("agent")),
        "at": time_text(assignment["at"]),
        "by": assignment["by"],
    }


def queue_item(complaint: Complaint, now: datetime, names: dict | None = None) -> dict:
    """Return one line of the staff queue (the citizen's name only; anonymous when absent).

    `names` are the staff members' names by username, for the assigned member's.
    """
    return {
        "number": complaint["_id"],
        "kind": complaint["kind"],
        "category": complaint["category"],
        "district": complaint["district"],
        "subject": complaint["subject"],
        "status": complaint["status"],
        "citizen_name": (complaint.get("citizen") or {}).get("name"),
        "submitted_at": time_text(complaint["submitted_at"]),
        "updated_at": time_text(complaint["updated_at"]),
        "ack_due": time_text(complaint["ack_due"]),
        "answer_due": time_text(complaint["answer_due"]),
        "overdue": rules.is_overdue(complaint, now),
        "assignment": _assignment(complaint.get("assignment"), names or {}),
    }


def photo_path(number: str, document_id: str) -> str:
    """Return the public address of a published complaint's photo (its display copy; + /thumb)."""
    return f"/api/v1/reports/{number}/photos/{document_id}"


def report_view(complaint: Complaint, *, description: bool = False) -> dict:
    """Return a published complaint as anyone may read it: what its citizen consented to publish.

    The category, district, status and dates, the subject, address and point, the city's public
    answers and the citizen's photos; never the citizen's name, email or phone, a photo's original,
    name or GPS position, an internal note, a staff member's name, remarks or ratings. With
    `description`, its description too (a report read alone).
    """
    location = complaint.get("location")
    view = {
        "number": complaint["_id"],
        "kind": complaint["kind"],
        "category": complaint["category"],
        "category_name": complaint.get("category_name"),
        "district": complaint["district"],
        "status": complaint["status"],
        "submitted_at": time_text(complaint["submitted_at"]),
        "updated_at": time_text(complaint["updated_at"]),
        "subject": complaint["subject"],
        "address": complaint.get("address"),
        "location": {"lat": location["lat"], "lon": location["lon"]} if location else None,
        "answers": [
            {"at": time_text(e["at"]), "status": e["status"], "note": rules.public_note(complaint, e)}
            for e in rules.public_answers(complaint)
        ],
        "photos": [
            {
                "id": d["id"],
                "thumb": f"{photo_path(complaint['_id'], d['id'])}/thumb",
                "display": photo_path(complaint["_id"], d["id"]),
            }
            for d in rules.public_photos(complaint)
        ],
    }
    if description:
        view["description"] = complaint["description"]
    return view
