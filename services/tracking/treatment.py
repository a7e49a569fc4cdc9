"""Staff treatment: the queue, the complaint with contact and notes, transitions, assignment."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

from pymongo.database import Database

from common import tokens
from common.envelope import utcnow
from common.errors import BadRequest, Conflict, Forbidden, NotFound
from services.tracking import accounts, domain, events, following, lifecycle, search, store, views


def _audit(claims: dict, action: str, at: datetime, **details) -> dict:
    return {"at": at, "actor": claims["sub"], "role": claims["role"], "action": action, **details}


def visible(db: Database, claims: dict, number: str) -> dict:
    """Return the complaint if it is in the member's districts; else 404, as if it did not exist."""
    complaint = store.find_by_number(db, domain.normalize_number(number))
    if complaint is None or not tokens.covers_district(claims, complaint["district"]):
        raise NotFound("No such complaint.")
    return complaint


def _match(claims: dict, query: dict, now: datetime) -> dict | None:
    """Return the store filter of the queue's filters within the member's districts (None: nothing)."""
    match: dict = {}
    if query.get("unplaced"):  # Open311 requests waiting for a district: the administrators'
        if tokens.ALL_DISTRICTS not in claims["districts"]:
            return None
        match["district"] = None
    elif query.get("district"):
        if not tokens.covers_district(claims, query["district"]):
            return None
        match["district"] = query["district"]
    elif tokens.ALL_DISTRICTS not in claims["districts"]:
        match["district"] = {"$in": claims["districts"]}
    for key in ("status", "category"):
        if query.get(key):
            match[key] = query[key]
    if query.get("assigned") == "me":
        match["agent"] = claims["sub"]
    if query.get("overdue") is not None:
        overdue = lifecycle.overdue_filter(now)
        match = {"$and": [match, overdue if query["overdue"] else {"$nor": overdue["$or"]}]}
    return match


def _by_district(match: dict) -> list[dict]:
    """Return the filter as one filter per district when it names several (a member's districts)."""
    districts = match.get("district")
    if isinstance(districts, dict) and set(districts) == {"$in"} and len(districts["$in"]) > 1:
        return [{**match, "district": district} for district in dict.fromkeys(districts["$in"])]
    return [match]


def _parts(claims: dict, query: dict, now: datetime) -> tuple[list[dict], list[dict], list[dict]]:
    """Return the queue's filter in parts that no complaint is in two of, each read from its own index.

    Returns the parts without the overdue filter (one per district of the member's), the late ones
    (either deadline passed) among them, and the ones the queue shows.
    """
    parts = _by_district(_match(claims, {**query, "overdue": None}, now))
    deadlines = lifecycle.overdue_filter(now)["$or"]
    late = [{"$and": [part, deadline]} for part in parts for deadline in deadlines]
    if query.get("overdue") is None:
        return parts, late, parts
    if query["overdue"]:
        return parts, late, late
    return parts, late, [{"$and": [part, {"$nor": deadlines}]} for part in parts]


def queue(db: Database, claims: dict, query: dict) -> dict:
    """Return one page of the complaints the member may see, filtered and searched."""
    now = utcnow()
    page, size = query["page"], query["page_size"]
    match = _match(claims, query, now)
    searched = search.words(query.get("q"))
    if match is None or (query.get("q") and not searched):
        return {"items": [], "total": 0, "total_capped": False, "page": page, "page_size": size}
    if searched:
        numbers, total = search.page(
            db, store.COMPLAINTS, searched, match, skip=(page - 1) * size, limit=size
        )
        items = list(store.by_numbers(db, numbers))
    else:
        parts, late, shown = _parts(claims, query, now)
        if query.get("overdue") is False:  # all of them less the late ones: $nor would read every one
            total = sum(store.count(db, m) for m in parts) - sum(store.count(db, m) for m in late)
        else:
            total = sum(store.count(db, m) for m in shown)
        items = store.page(db, shown, skip=(page - 1) * size, limit=size)
    if items:  # the queue shows citizens' names: who saw which, as for a complaint's page
        store.log_read(
            db, {"at": now, "by": claims["sub"], "what": "queue", "complaints": [c["_id"] for c in items]}
        )
    names = store.staff_names(db, (_agent(c) for c in items))
    return {
        "items": [views.queue_item(c, now, names) for c in items],
        "total": total,
        "total_capped": bool(searched) and total >= search.COUNTED,
        "page": page,
        "page_size": size,
    }


EXPORT_TIMES = ("submitted_at", "ack_due", "answer_due", "acknowledged_at", "answered_at", "closed_at")
EXPORT_HEADER = [
    "number",
    "kind",
    "category",
    "district",
    "department",
    "status",
    "subject",
    *EXPORT_TIMES,
    "overdue",
    "reopen_count",
    "agent",
    "satisfaction",
    "outcome",
]
# Only administrators export the citizen's contact.
PERSONAL_HEADER = ["citizen_name", "citizen_email", "citizen_phone", "citizen_language"]


def export(db: Database, claims: dict, query: dict) -> tuple[list[str], Iterator[list]]:
    """Return the header and the lines of the complaints list the member may see, for a spreadsheet.

    The citizen's contact is in it for administrators only, and such an export is logged.
    """
    now = utcnow()
    personal = claims["role"] == "admin"
    match = _match(claims, query, now)
    if personal:
        filters = {key: value for key, value in query.items() if value is not None}
        store.log_export(db, _audit(claims, "export", now, personal_data=True, filters=filters))

    searched = search.words(query.get("q"))

    def lines() -> Iterator[list]:
        if match is None or (query.get("q") and not searched):
            return
        if searched:
            numbers = search.matching(db, store.COMPLAINTS, searched, match)
            found = store.by_numbers(db, numbers, store.EXPORTED)
        else:
            found = store.export(db, _parts(claims, query, now)[2])
        for complaint in found:
            latest = (complaint.get("feedback") or [{}])[-1]
            line = [
                complaint["_id"],
                complaint["kind"],
                complaint["category"],
                complaint["district"],
                complaint.get("department"),
                complaint["status"],
                complaint["subject"],
                *(views.time_text(complaint.get(key)) for key in EXPORT_TIMES),
                views.is_overdue(complaint, now),
                complaint.get("reopen_count", 0),
                (complaint.get("assignment") or {}).get("agent"),
                latest.get("satisfaction"),
                latest.get("outcome"),
            ]
            if personal:
                citizen = complaint.get("citizen") or {}
                line += [citizen.get(key) for key in ("name", "email", "phone", "language")]
            yield line

    return EXPORT_HEADER + (PERSONAL_HEADER if personal else []), lines()


def _agent(complaint: dict) -> str | None:
    return (complaint.get("assignment") or {}).get("agent")


def _staff_view(db: Database, complaint: dict, *, role: str | None = None) -> dict:
    """Return the staff view, with the assigned member's name."""
    return views.staff_view(complaint, role=role, names=store.staff_names(db, [_agent(complaint)]))


def read(db: Database, claims: dict, number: str) -> dict:
    """Return the staff view, recording that this member read the citizen's personal data."""
    complaint = visible(db, claims, number)
    store.append_audit(db, complaint["_id"], _audit(claims, "read", utcnow()))
    return _staff_view(db, complaint, role=claims["role"])


def assignees(db: Database, claims: dict, number: str) -> dict:
    """Return the members this member may assign the complaint to, its department's first.

    Who may take a complaint: an active member of its district, or of every district. An agent
    assigns only to themselves, so their list has them alone (when they may take it).
    """
    complaint = visible(db, claims, number)
    department = complaint.get("department")
    members = store.staff_of_district(db, complaint["district"])
    if claims["role"] == "agent":
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
    tokens.require_role(claims, "supervisor", "admin")
    visible(db, claims, number)
    complaint = store.find_by_number(db, domain.normalize_number(number), with_audit=True)
    return [{**entry, "at": views.time_text(entry["at"])} for entry in complaint.get("audit", [])]


def transition(db: Database, claims: dict, number: str, data: dict) -> dict:
    """Move the complaint along the state table with its notes; 409 when not allowed."""
    number = visible(db, claims, number)["_id"]
    target = data["to"]
    if target not in lifecycle.STATUSES:
        raise BadRequest("Unknown status.", fields={"to": [f"one of {', '.join(lifecycle.STATUSES)}"]})
    if target == lifecycle.REJECTED and not data.get("reason"):
        raise BadRequest("A rejection needs a reason.", fields={"reason": ["required to reject"]})

    def change(complaint: dict, now: datetime):
        current = complaint["status"]
        if target not in lifecycle.STAFF_TRANSITIONS.get(current, ()):
            raise Conflict(f"A complaint that is {current} cannot be moved to {target}.")
        if not lifecycle.staff_may(claims["role"], current, target):
            raise Forbidden(f"Only a supervisor can move a complaint to {target}.")
        changes: dict = {}
        if target in lifecycle.ANSWERED:
            changes.update(answered_at=now, answer_seq=complaint.get("answer_seq", 0) + 1)
        if target == lifecycle.ACKNOWLEDGED or (
            current == lifecycle.RECEIVED and "acknowledged_at" not in complaint
        ):
            changes["acknowledged_at"] = now
        if target == lifecycle.CLOSED:
            changes["closed_at"] = now
        update, event = domain.move(
            complaint,
            now,
            to=target,
            by="staff",
            changes=changes,
            note=data.get("public_note"),
            reason=data.get("reason"),
            actor=claims["sub"],
            internal_note=data.get("internal_note"),
        )
        update["$push"]["audit"] = _audit(claims, "transition", now, previous=current, status=target)
        return update, [event]

    return _staff_view(db, domain.apply(db, number, change))


def assign(db: Database, claims: dict, number: str, data: dict) -> dict:
    """Assign the complaint to a department and/or an agent of its district."""
    complaint = visible(db, claims, number)
    if not data.get("department") and not data.get("agent"):
        raise BadRequest(
            "Name a department, an agent, or both.", fields={"agent": ["or department required"]}
        )
    agent = data.get("agent")
    if claims["role"] == "agent" and agent not in (None, claims["sub"]):
        raise Forbidden("An agent can assign a complaint only to themselves.")
    if agent:
        account = store.find_staff(db, agent)
        if account is None or not account.get("active", True):
            raise BadRequest(
                "No active staff member has this username.", fields={"agent": ["unknown or inactive member"]}
            )
        if not tokens.covers_district({"districts": account["districts"]}, complaint["district"]):
            raise BadRequest(
                "This member does not work for the complaint's district.",
                fields={"agent": ["does not work for this complaint's district"]},
            )

    def change(current: dict, now: datetime):
        assignment = {
            "department": data.get("department") or current.get("department"),
            "agent": agent,
            "at": now,
            "by": claims["sub"],
        }
        update = {
            "$set": {"assignment": assignment, "agent": agent},  # `agent`: the "assigned to me" index
            "$push": {
                "audit": _audit(claims, "assignment", now, department=assignment["department"], agent=agent)
            },
        }
        if data.get("department"):
            update["$set"]["department"] = data["department"]
        return update, [events.assigned({**current, "department": assignment["department"]}, assignment)]

    return _staff_view(db, domain.apply(db, complaint["_id"], change))


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

    def change(current: dict, now: datetime):
        if current["district"] == district:
            return {}, []
        if current["status"] == lifecycle.CLOSED:
            raise Conflict("A closed complaint stays in its district.")
        update = {
            "$set": {"district": district, "placed_at": now},
            "$push": {
                "audit": _audit(claims, "district", now, previous=current["district"], district=district)
            },
        }
        if (current.get("assignment") or {}).get("agent"):
            update["$set"]["assignment"] = {
                **current["assignment"],
                "agent": None,
                "at": now,
                "by": claims["sub"],
            }
            update["$set"]["agent"] = None
        event = events.placed(
            {**current, "district": district},
            previous=current["district"],
            district_name=names[district],
            at=now,
            by="staff",
        )
        return update, [event]

    return _staff_view(db, domain.apply(db, complaint["_id"], change))


def add_note(db: Database, claims: dict, number: str, text: str) -> dict:
    """Add an internal note, never shown to the citizen."""
    complaint = visible(db, claims, number)

    def change(_current: dict, now: datetime):
        note = {"id": uuid.uuid4().hex, "at": now, "actor": claims["sub"], "text": text}
        return {"$push": {"notes": note, "audit": _audit(claims, "note", now)}}, []

    return _staff_view(db, domain.apply(db, complaint["_id"], change))


def open_document(db: Database, claims: dict, number: str, document_id: str):
    """Return a document of a complaint in the member's districts, recording the read in its audit."""
    complaint = visible(db, claims, number)
    found = domain.open_document(db, complaint["_id"], document_id)
    store.append_audit(db, complaint["_id"], _audit(claims, "document_read", utcnow(), document=document_id))
    return found


def add_document(db: Database, claims: dict, number: str, upload) -> dict:
    """Add a document on behalf of the district."""
    complaint = visible(db, claims, number)
    added = domain.add_document(db, complaint["_id"], upload, by="staff")
    store.append_audit(db, complaint["_id"], _audit(claims, "document", utcnow(), document=added["id"]))
    return added


# The public note on a duplicate, in its citizen's language, when staff write none.
DUPLICATE_NOTE = {
    "fr": "Cette réclamation a déjà été signalée sous le numéro {into} : elle est traitée avec elle, "
    "et vous serez informé(e) par email de chacune de ses étapes.",
    "ar": "سبق التبليغ عن هذه الشكاية تحت الرقم {into}: ستعالج معها، وستتوصلون برسالة إلكترونية عند كل مرحلة "
    "من مراحلها.",
    "en": "This complaint was already reported under number {into}: it is handled with that one, and you "
    "will be emailed at each of its steps.",
}


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
    tokens.require_role(claims, "supervisor", "admin")
    duplicate = visible(db, claims, number)["_id"]
    kept = visible(db, claims, data["into"])["_id"]
    if kept == duplicate:
        raise BadRequest(
            "A complaint cannot be a duplicate of itself.", fields={"into": ["the same complaint"]}
        )

    def change(found: dict[str, dict], now: datetime):
        for complaint in (found[duplicate], found[kept]):
            if complaint["status"] == lifecycle.CLOSED:
                raise Conflict(f"{complaint['_id']} is closed: only open complaints are merged.")
        into, closing = found[kept], found[duplicate]
        followers, followed = following.carried(closing, into, now)
        for key in followers.keys():
            store.note_follow(db, key.removeprefix("followers."), kept, None)
        chain = [
            n for n in [duplicate, *closing.get("duplicates", [])] if n not in into.get("duplicates", [])
        ]
        keep: dict = {"$push": {"audit": _audit(claims, "merged_in", now, duplicate=duplicate)}}
        if chain:
            keep["$push"]["duplicates"] = {"$each": chain}
        if followers:
            keep["$set"] = followers
        citizen = closing.get("citizen") or {}
        language = citizen.get("language") if citizen.get("language") in DUPLICATE_NOTE else "fr"
        update, changed = domain.move(
            closing,
            now,
            to=lifecycle.CLOSED,
            by="staff",
            changes={"duplicate_of": kept, "closed_at": now, "followers": {}},
            note=data.get("public_note") or DUPLICATE_NOTE[language].format(into=kept),
            actor=claims["sub"],
            internal_note=data.get("internal_note"),
        )
        update["$push"]["audit"] = _audit(claims, "merged", now, into=kept, previous=closing["status"])
        moved = len(following.confirmed(closing))
        return {
            kept: (keep, followed),
            duplicate: (update, [changed, events.merged(closing, into=kept, at=now, followers=moved)]),
        }

    after = domain.apply_together(db, [duplicate, kept], change)
    for key in following.confirmed(after[kept]):
        store.forget_follow(db, key, duplicate)
    return views.staff_view(after[duplicate], role=claims["role"])
