"""Who is emailed what for an event: pure rules, from the event and the recipients found for it.

`plan()` reads nothing and sends nothing: the handlers pass in the complaint's contact (with its
followers) and the staff members found, and deliver what it returns. The links an email carries are
signed, so they are added when it is sent (`Email.link` says which).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from common.vocabulary import (
    ANSWERED_STATUSES,
    DEFAULT_LANGUAGE,
    DISTRICT_ROLES,
    Actor,
    EventType,
    Role,
    Status,
)
from services.notification.model import (
    Contact,
    Email,
    Event,
    FollowedData,
    Follower,
    FollowerData,
    Link,
    StaffMember,
    SubmittedData,
)

FOLLOWER = "follower"  # the role of an email to a follower
FOLLOWERS_POOL = "followers"  # the sending slots of the emails strangers can cause (see store)
SUBSCRIBER, ALERTS_POOL = "subscriber", "alerts"  # an alert for a place's emails, and their own slots
# What a follower's email may name of the complaint: never its citizen's words.
FOLLOWER_NAMES = ("number", "category_name", "district_name")


def contact_of(data: SubmittedData) -> dict:
    """Return what emails about a complaint need, from its submission (a Contact but for its `_id`)."""
    citizen = data["citizen"]
    return {
        "email": citizen["email"],
        "name": citizen.get("name"),
        "language": citizen.get("language") or DEFAULT_LANGUAGE,
        "district": data["district"],
        "district_name": data.get("district_name") or {},
        "category": data["category"],
        "category_name": data.get("category_name") or {},
        "subject": data["subject"],
        "description": data["description"],
        "kind": data["kind"],
        "ack_due": data["ack_due"],
        "answer_due": data["answer_due"],
    }


def follower_kept(data: FollowedData) -> Follower:
    """Return the follower a `complaint.followed` adds to the contact."""
    follower = data["follower"]
    return {
        "email": follower["email"],
        "language": follower.get("language") or DEFAULT_LANGUAGE,
        "since": data["at"],
    }


def from_citizen(data: dict) -> bool:
    """Return whether a document or remark was added by the citizen (staff's own tell nobody)."""
    return data.get("by") == Actor.CITIZEN


def staff_roles(event: Event, contact: Contact) -> tuple[str, ...]:
    """Return the roles of the complaint's district's staff whom the event may email (none: no lookup)."""
    type_, data = event["type"], event["data"]
    if type_ == EventType.SUBMITTED:
        # An Open311 request without a district goes to the administrators, who place it.
        return DISTRICT_ROLES if data["district"] else (Role.ADMIN,)
    if type_ == EventType.PLACED:
        # Unless a later placement is known: that one tells its district.
        return DISTRICT_ROLES if contact["district"] == data["district"] else ()
    if type_ == EventType.REOPENED:
        return DISTRICT_ROLES
    if type_ in (EventType.DOCUMENT_ADDED, EventType.REMARK_ADDED):
        return DISTRICT_ROLES if from_citizen(data) else ()
    if type_ == EventType.OVERDUE:
        return (Role.SUPERVISOR, Role.ADMIN)
    return ()


def sending_pool(role: str) -> str:
    """Return the pool of sending slots an email takes ("" for the address's own emails)."""
    return {FOLLOWER: FOLLOWERS_POOL, SUBSCRIBER: ALERTS_POOL}.get(role, "")


def plan(event: Event, contact: Contact, staff: list[StaffMember]) -> list[Email]:
    """Return the emails an event calls for, in the order they are sent.

    `contact` is the complaint's as kept (after the event's own change of it), `staff` the active
    members with an address of the complaint's district in `staff_roles(event)` (more do no harm).
    """
    planner = _PLANNERS.get(event["type"])
    return planner(event, contact, staff) if planner else []


# ---- each event --------------------------------------------------------------------------------


def _submitted(event: Event, contact: Contact, staff: list[StaffMember]) -> list[Email]:
    data = event["data"]
    due = {"ack_due": data["ack_due"], "answer_due": data["answer_due"]}
    acknowledgement = _to_citizen(contact, "acknowledgement", **due, submitted_at=data["submitted_at"])
    placement = "new" if data["district"] else "unplaced"
    return acknowledgement + _to_staff(
        contact,
        staff,
        staff_roles(event, contact),
        "staff_new",
        **due,
        placement=placement,
        kind=data["kind"],
        description=data["description"],
    )


def _placed(event: Event, contact: Contact, staff: list[StaffMember]) -> list[Email]:
    if contact["district"] != event["data"]["district"]:
        return []  # a later placement is known: that one tells its district
    return _to_staff(
        contact,
        staff,
        DISTRICT_ROLES,
        "staff_new",
        placement="placed",
        kind=contact["kind"],
        description=contact.get("description") or "",
        ack_due=contact.get("ack_due"),
        answer_due=contact.get("answer_due"),
    )


def _status_changed(event: Event, contact: Contact, staff: list[StaffMember]) -> list[Email]:
    data = event["data"]
    status = data["status"]
    if status == Status.REOPENED:
        emails = _to_citizen(
            contact, "reopened", reason=data.get("public_note") or "", answer_due=data["answer_due"]
        )
    elif status in ANSWERED_STATUSES:
        # Tracking decides whether and until when the citizen may reopen. An event published before
        # it said so has no `reopen_until`: read like null, its answer says nothing of reopening.
        until = data.get("reopen_until")
        emails = _to_citizen(
            contact,
            "answer",
            status=status,
            public_note=data.get("public_note"),
            reason=data.get("reason"),
            at=data["at"],
            can_reopen=until is not None,
            reopen_until=datetime.fromisoformat(until) if until is not None else None,
        )
    else:
        emails = _to_citizen(
            contact, "status", status=status, public_note=data.get("public_note"), at=data["at"]
        )
    if data.get("duplicate_of"):
        return emails  # merged: its followers now follow the kept complaint, and are told so from there
    # The city's public note when the citizen consented to publish the complaint; never the
    # citizen's own words (a reopening's reason is theirs).
    published = data.get("published") and data.get("by") != Actor.CITIZEN
    answer = data.get("public_note") if published else None
    return emails + _to_followers(
        event, contact, "follower_status", status=status, at=data["at"], public_note=answer
    )


def _follow_requested(event: Event, contact: Contact, staff: list[StaffMember]) -> list[Email]:
    data = event["data"]
    follower = data["follower"]
    expires_at = data["expires_at"]
    return [
        _to_follower(contact, follower["id"], follower, "follow_confirm", "confirm", expires_at=expires_at)
    ]


def _followed(event: Event, contact: Contact, staff: list[StaffMember]) -> list[Email]:
    # One who confirmed a request to follow was told so by the page they confirmed on; those a
    # merge brought are told which complaint theirs is handled with.
    data = event["data"]
    if data.get("via") != "merge":
        return []
    return [
        _to_follower(
            contact,
            data["follower"]["id"],
            follower_kept(data),
            "following",
            merged_from=data.get("merged_from"),
            moved_from=data.get("moved_from") if not data.get("merged_from") else None,
        )
    ]


def _reopened(event: Event, contact: Contact, staff: list[StaffMember]) -> list[Email]:
    data = event["data"]
    return _to_staff(
        contact,
        staff,
        DISTRICT_ROLES,
        "staff_reopened",
        reason=data["reason"],
        reopen_count=data.get("reopen_count", 1),
        answer_due=data["answer_due"],
    )


def _citizen_update(event: Event, contact: Contact, staff: list[StaffMember]) -> list[Email]:
    data = event["data"]
    if not from_citizen(data):
        return []
    document = event["type"] == EventType.DOCUMENT_ADDED
    return _to_staff(
        contact,
        staff,
        DISTRICT_ROLES,
        "staff_update",
        what="document" if document else "remark",
        document_name=(data.get("document") or {}).get("filename") if document else None,
        remark_text=None if document else data.get("text"),
    )


def _overdue(event: Event, contact: Contact, staff: list[StaffMember]) -> list[Email]:
    data = event["data"]
    # The district's supervisors; the administrators when it has none.
    supervised = any(member["role"] == Role.SUPERVISOR for member in staff)
    return _to_staff(
        contact,
        staff,
        (Role.SUPERVISOR,) if supervised else (Role.ADMIN,),
        "staff_overdue",
        deadline=data["deadline"],
        due=data["due"],
        status=data.get("status"),
    )


_PLANNERS: dict[str, Callable[[Event, Contact, list[StaffMember]], list[Email]]] = {
    EventType.SUBMITTED: _submitted,
    EventType.PLACED: _placed,
    EventType.STATUS_CHANGED: _status_changed,
    EventType.FOLLOW_REQUESTED: _follow_requested,
    EventType.FOLLOWED: _followed,
    EventType.REOPENED: _reopened,
    EventType.DOCUMENT_ADDED: _citizen_update,
    EventType.REMARK_ADDED: _citizen_update,
    EventType.OVERDUE: _overdue,
}


# ---- each kind of recipient --------------------------------------------------------------------


def _names(contact: Contact, language: str) -> dict:
    district = contact.get("district")
    return {
        "number": contact["_id"],
        "complaint_subject": contact["subject"],
        "category_name": contact["category_name"].get(language, contact["category"]),
        # None for an Open311 request not placed yet: the email then says so in its language.
        "district_name": contact["district_name"].get(language, district) if district else None,
    }


def _follower_names(contact: Contact, language: str) -> dict:
    names = _names(contact, language)
    return {key: names[key] for key in FOLLOWER_NAMES}


def _to_citizen(contact: Contact, template: str, **context) -> list[Email]:
    if not contact.get("email"):
        return []  # an Open311 request sent without an address, or the citizen was anonymised
    language = contact.get("language") or DEFAULT_LANGUAGE
    names = {**_names(contact, language), "citizen_name": contact.get("name")}
    context = {**names, **context}
    return [
        Email(
            recipient=contact["email"],
            role=Actor.CITIZEN,
            template=template,
            language=language,
            context=context,
            link="complaint",
        )
    ]


def _to_followers(event: Event, contact: Contact, template: str, **context) -> list[Email]:
    """Email every follower of the complaint who followed it before the event happened."""
    at = event["data"].get("at") or event["time"]
    return [
        _to_follower(contact, key, follower, template, **context)
        for key, follower in (contact.get("followers") or {}).items()
        if follower.get("email") and follower.get("since", "") <= at  # not one removed since
    ]


def _to_follower(
    contact: Contact,
    key: str,
    follower: Follower | FollowerData,
    template: str,
    link: Link = "unfollow",
    **context,
) -> Email:
    """Email one follower: the complaint's number, category and district, never its citizen's words."""
    language = follower.get("language") or DEFAULT_LANGUAGE
    context = {**_follower_names(contact, language), **context}
    return Email(
        recipient=follower["email"],
        role=FOLLOWER,
        template=template,
        language=language,
        context=context,
        link=link,
        follower_id=key,
    )


def _to_staff(
    contact: Contact, staff: list[StaffMember], roles: tuple[str, ...], template: str, **context
) -> list[Email]:
    emails = []
    for member in staff:
        if member["role"] not in roles or not member.get("email"):
            continue
        language = member.get("language") or DEFAULT_LANGUAGE
        names = {**_names(contact, language), "staff_name": member.get("name")}
        emails.append(
            Email(
                recipient=member["email"],
                role=member["role"],
                template=template,
                language=language,
                context={**names, **context},
                link="staff",
            )
        )
    return emails
