"""Staff treatment of a complaint: reading it, its transitions, assignment, placing, notes, merging."""

from __future__ import annotations

import uuid
from datetime import datetime

from pymongo.database import Database

from common import tokens, translations
from common.envelope import utcnow
from common.errors import BadRequest, Conflict, Forbidden, NotFound
from common.vocabulary import DECIDING_ROLES, DEFAULT_LANGUAGE, Actor, Role, Status
from services.tracking import accounts, domain, events, following, rules, staff_store, store, views
from services.tracking.model import Changes, Complaint, audit_entry


def visible(db: Database, claims: dict, number: str) -> Complaint:
    """Return the complaint if it is in the member's districts; else 404, as if it did not exist."""
    complaint = store.find_by_number(db, domain.normalize_number(number))
    if complaint is None or not tokens.covers_district(claims, complaint["district"]):
        raise NotFound("No such complaint.")
    return complaint


def _agent(complaint: Complaint) -> str | None:
    return (complaint.get("assignment") or {}).get("agent")


def _staff_view(db: Database, complaint: dict, *, role: str | None = None) -> dict:
    """Return the staff view, with the assigned member's name."""
    return views.staff_view(complaint, role=role, names=staff_store.staff_names(db, [_agent(complaint)]))


def read(db: Database, claims: dict, number: str) -> dict:
    """Return the staff view, recording that this member read the citizen's personal data."""
    complaint = visible(db, claims, number)
    store.append_audit(db, complaint["_id"], audit_entry(claims, "read", utcnow()))
    return _staff_view(db, complaint, role=claims["role"])


def assignees(db: Database, claims: dict, number: str) -> dict:
    """Return the members this member may assign the complaint to, its department's first.

    Who may take a complaint: an active member of its district, or of every district. An agent
    assigns only to themselves, so their list has them alone (when they may take it).
    """
    complaint = visible(db, claims, number)
    department = complaint.get("department")
    members = staff_store.staff_of_district(db, complaint["district"])
    if claims["role"] == Role.AGENT:
        members = [m for m in members if m["_id"] == claims["sub"]]
    members.sort(key=lambda m: (m.get("department") != department, (m.get("name") or m["_id"]).casefold()))
    return {
        "department": department,
        "items": [
            {"username": m["_id"], "name": m.get("name"), "department": m.get("department")} for m in members
        ],
    }


def audit_trail(db: Database, claims: dict, number: str) -> list[dict]:
    """Return every staff action on the complaint (supervisors and administrators)."""
    tokens.require_role(claims, *DECIDING_ROLES)
    visible(db, claims, number)
    complaint = store.find_by_number(db, domain.normalize_number(number), with_audit=True)
    return [{**entry, "at": views.time_text(entry["at"])} for entry in complaint.get("audit", [])]


def transition(db: Database, claims: dict, number: str, data: dict) -> dict:
    """Move the complaint along the state table with its notes; 409 when not allowed."""
    number = visible(db, claims, number)["_id"]
    target = data["to"]
    if target not in tuple(Status):
        raise BadRequest("Unknown status.", fields={"to": [f"one of {', '.join(Status)}"]})
    if target == Status.REJECTED and not data.get("reason"):
        raise BadRequest("A rejection needs a reason.", fields={"reason": ["required to reject"]})

    def change(complaint: Complaint, now: datetime) -> Changes:
        current = complaint["status"]
        if target not in rules.STAFF_TRANSITIONS.get(current, ()):
            raise Conflict(f"A complaint that is {current} cannot be moved to {target}.")
        if not rules.staff_may(claims["role"], current, target):
            raise Forbidden(f"Only a supervisor can move a complaint to {target}.")
        changes = domain.move(
            complaint,
            now,
            to=Status(target),
            by=Actor.STAFF,
            changes=rules.transition_fields(complaint, target, now),
            note=data.get("public_note"),
            reason=data.get("reason"),
            actor=claims["sub"],
            internal_note=data.get("internal_note"),
        )
        changes["append"]["audit"] = [audit_entry(claims, "transition", now, previous=current, status=target)]
        return changes

    return _staff_view(db, store.apply(db, number, change))


def assign(db: Database, claims: dict, number: str, data: dict) -> dict:
    """Assign the complaint to a department and/or an agent of its district."""
    complaint = visible(db, claims, number)
    if not data.get("department") and not data.get("agent"):
        raise BadRequest(
            "Name a department, an agent, or both.", fields={"agent": ["or department required"]}
        )
    agent = data.get("agent")
    if claims["role"] == Role.AGENT and agent not in (None, claims["sub"]):
        raise Forbidden("An agent can assign a complaint only to themselves.")
    if agent:
        account = staff_store.find_staff(db, agent)
        if account is None or not account.get("active", True):
            raise BadRequest(
                "No active staff member has this username.", fields={"agent": ["unknown or inactive member"]}
            )
        if not tokens.covers_district({"districts": account["districts"]}, complaint["district"]):
            raise BadRequest(
                "This member does not work for the complaint's district.",
                fields={"agent": ["does not work for this complaint's district"]},
            )

    def change(current: Complaint, now: datetime) -> Changes:
        assignment = {
            "department": data.get("department") or current.get("department"),
            "agent": agent,
            "at": now,
            "by": claims["sub"],
        }
        fields = {"assignment": assignment, "agent": agent}  # `agent`: the "assigned to me" index
        if data.get("department"):
            fields["department"] = data["department"]
        audit = audit_entry(claims, "assignment", now, department=assignment["department"], agent=agent)
        return {
            "set": fields,
            "append": {"audit": [audit]},
            "events": [events.assigned({**current, "department": assignment["department"]}, assignment)],
        }

    return _staff_view(db, store.apply(db, complaint["_id"], change))


def place(db: Database, claims: dict, number: str, district: str) -> dict:
    """Place the complaint in a district: an Open311 request that came without one, or a correction.

    The member must work for both districts (a complaint without one is the administrators').
    The assigned agent, who may not work for the new district, is unassigned.
    """
    complaint = visible(db, claims, number)
    if not tokens.covers_district(claims, district):
        raise Forbidden("You do not work for this district.")
    names = accounts.catalogue_districts()
    if district not in names:
        raise BadRequest("Unknown district.", fields={"district": ["unknown"]})

    def change(current: Complaint, now: datetime) -> Changes:
        if current["district"] == district:
            return {}
        if current["status"] == Status.CLOSED:
            raise Conflict("A closed complaint stays in its district.")
        fields: dict = {"district": district, "placed_at": now}
        if (current.get("assignment") or {}).get("agent"):
            fields["assignment"] = {**current["assignment"], "agent": None, "at": now, "by": claims["sub"]}
            fields["agent"] = None
        event = events.placed(
            {**current, "district": district},
            previous=current["district"],
            district_name=names[district],
            at=now,
            by=Actor.STAFF,
        )
        audit = audit_entry(claims, "district", now, previous=current["district"], district=district)
        return {"set": fields, "append": {"audit": [audit]}, "events": [event]}

    return _staff_view(db, store.apply(db, complaint["_id"], change))


def add_note(db: Database, claims: dict, number: str, text: str) -> dict:
    """Add an internal note, never shown to the citizen."""
    complaint = visible(db, claims, number)

    def change(_current: Complaint, now: datetime) -> Changes:
        note = {"id": uuid.uuid4().hex, "at": now, "actor": claims["sub"], "text": text}
        return {"append": {"notes": [note], "audit": [audit_entry(claims, "note", now)]}}

    return _staff_view(db, store.apply(db, complaint["_id"], change))


def open_document(db: Database, claims: dict, number: str, document_id: str):
    """Return a document of a complaint in the member's districts, recording the read in its audit."""
    complaint = visible(db, claims, number)
    found = domain.open_document(db, complaint["_id"], document_id)
    store.append_audit(
        db, complaint["_id"], audit_entry(claims, "document_read", utcnow(), document=document_id)
    )
    return found


def open_copy(db: Database, claims: dict, number: str, document_id: str, name: str):
    """Return a photo's copy for a member of its districts (domain.open_copy).

    Opening the display copy is recorded in the audit trail, as a download is. The thumbnails are
    not: the complaint's page shows them all each time it is read, and that read is recorded.
    """
    complaint = visible(db, claims, number)
    found = domain.open_copy(db, complaint["_id"], document_id, name)
    if name == "display":
        read = audit_entry(claims, "document_read", utcnow(), document=document_id, copy=name)
        store.append_audit(db, complaint["_id"], read)
    return found


def add_document(db: Database, claims: dict, number: str, upload) -> dict:
    """Add a document on behalf of the district."""
    complaint = visible(db, claims, number)
    added = domain.add_document(db, complaint["_id"], upload, by=Actor.STAFF)
    store.append_audit(db, complaint["_id"], audit_entry(claims, "document", utcnow(), document=added["id"]))
    return added


def duplicate_note(citizen: dict, into: str) -> str:
    """Return the public note on a duplicate kept as `into`, in its citizen's language (else French)."""
    words = translations.translations(citizen.get("language") or DEFAULT_LANGUAGE, "services")
    return words.gettext("duplicate.note").format(into=into)


def merge(db: Database, claims: dict, number: str, data: dict) -> dict:
    """Close a complaint as a duplicate of another one kept, whose steps its citizen then follows.

    Merging closes a complaint: supervisors and administrators only, as for closing by hand. Both
    complaints must be in the member's districts and open, checked while both are locked: of two
    merges of the same pair in opposite directions, the second finds its kept complaint closed by
    the first and is refused, so one of the two always stays open. The duplicate's citizen and its
    followers follow the kept complaint (`following.carried`). The kept complaint is written first,
    then the duplicate is closed with a public note naming the kept one: a repeat after a failure
    between the two finds the followers there already.
    """
    tokens.require_role(claims, *DECIDING_ROLES)
    duplicate = visible(db, claims, number)["_id"]
    kept = visible(db, claims, data["into"])["_id"]
    if kept == duplicate:
        raise BadRequest(
            "A complaint cannot be a duplicate of itself.", fields={"into": ["the same complaint"]}
        )

    def change(found: dict[str, Complaint], now: datetime) -> dict[str, Changes]:
        for complaint in (found[duplicate], found[kept]):
            if complaint["status"] == Status.CLOSED:
                raise Conflict(f"{complaint['_id']} is closed: only open complaints are merged.")
        into, closing = found[kept], found[duplicate]
        followers, followed = following.carried(closing, into, now)
        for key in followers.keys():
            store.note_follow(db, key.removeprefix("followers."), kept, None)
        chain = [
            n for n in [duplicate, *closing.get("duplicates", [])] if n not in into.get("duplicates", [])
        ]
        keep: Changes = {
            "append": {
                "audit": [audit_entry(claims, "merged_in", now, duplicate=duplicate)],
                "duplicates": chain,
            },
            "set": followers,
            "events": followed,
        }
        closed = domain.move(
            closing,
            now,
            to=Status.CLOSED,
            by=Actor.STAFF,
            changes={"duplicate_of": kept, "closed_at": now, "followers": {}},
            note=data.get("public_note") or duplicate_note(closing.get("citizen") or {}, kept),
            actor=claims["sub"],
            internal_note=data.get("internal_note"),
        )
        closed["append"]["audit"] = [
            audit_entry(claims, "merged", now, into=kept, previous=closing["status"])
        ]
        moved = len(following.confirmed(closing))
        closed["events"].append(events.merged(closing, into=kept, at=now, followers=moved))
        return {kept: keep, duplicate: closed}

    after = store.apply_together(db, [duplicate, kept], change)
    for key in following.confirmed(after[kept]):
        store.forget_follow(db, key, duplicate)
    return views.staff_view(after[duplicate], role=claims["role"])
