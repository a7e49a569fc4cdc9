"""Who is emailed what for each event: notification's pure rules, table by table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notification import rules

NUMBER = "RC-2026-7K3P9QX"
AT = "2026-03-02T08:00:00.000Z"


def contact(**changes) -> dict:
    return {
        "_id": NUMBER,
        "email": "nadia@example.ma",
        "name": "Nadia",
        "language": "en",
        "district": "anfa",
        "district_name": {"fr": "Anfa", "ar": "أنفا", "en": "Anfa"},
        "category": "roads",
        "category_name": {"fr": "Voirie", "en": "Roads"},
        "subject": "A hole",
        "description": "A deep hole",
        "kind": "complaint",
        "ack_due": AT,
        "answer_due": AT,
        **changes,
    }


def member(username: str, role: str, language: str = "fr", email: str | None = "") -> dict:
    address = f"{username}@city.ma" if email == "" else email
    return {"username": username, "role": role, "districts": ["anfa"], "email": address, "language": language}


def event(type_: str, **data) -> dict:
    return {"id": "e1", "type": type_, "time": AT, "data": {"number": NUMBER, "at": AT, **data}}


def submitted(**data) -> dict:
    fields = {"district": "anfa", "kind": "complaint", "description": "A deep hole", "submitted_at": AT}
    return event("complaint.submitted", **{**fields, "ack_due": AT, "answer_due": AT, **data})


def follower(email: str, since: str = "2026-03-01T00:00:00.000Z", language: str = "fr") -> dict:
    return {"email": email, "language": language, "since": since}


def sent(emails: list[dict]) -> list[tuple]:
    """Return each email as (recipient, role, template, language, link)."""
    return [(e["recipient"], e["role"], e["template"], e["language"], e["link"]) for e in emails]


AGENT, SUPERVISOR, ADMIN = (
    member("agent", "agent"),
    member("boss", "supervisor", "ar"),
    member("root", "admin"),
)
DISTRICT = [AGENT, SUPERVISOR]


@pytest.mark.parametrize(
    ("name", "the_event", "the_contact", "staff", "expected"),
    [
        (
            "a submission: the citizen, then the district's staff, each in their language",
            submitted(),
            contact(),
            DISTRICT,
            [
                ("nadia@example.ma", "citizen", "acknowledgement", "en", "complaint"),
                ("agent@city.ma", "agent", "staff_new", "fr", "staff"),
                ("boss@city.ma", "supervisor", "staff_new", "ar", "staff"),
            ],
        ),
        (
            "an Open311 request without address or district: the administrators only",
            submitted(district=None),
            contact(email=None, district=None),
            [ADMIN],
            [("root@city.ma", "admin", "staff_new", "fr", "staff")],
        ),
        (
            "a member without an address is not written to",
            submitted(),
            contact(),
            [member("mute", "agent", email=None)],
            [("nadia@example.ma", "citizen", "acknowledgement", "en", "complaint")],
        ),
        (
            "a placement in the district known: its staff, as of a new complaint",
            event("complaint.placed", district="anfa"),
            contact(),
            DISTRICT,
            [
                ("agent@city.ma", "agent", "staff_new", "fr", "staff"),
                ("boss@city.ma", "supervisor", "staff_new", "ar", "staff"),
            ],
        ),
        (
            "a placement older than the one known: nobody",
            event("complaint.placed", district="sbata"),
            contact(),
            DISTRICT,
            [],
        ),
        (
            "a reopening: the district's staff",
            event("complaint.reopened", reason="Not done", answer_due=AT),
            contact(),
            DISTRICT,
            [
                ("agent@city.ma", "agent", "staff_reopened", "fr", "staff"),
                ("boss@city.ma", "supervisor", "staff_reopened", "ar", "staff"),
            ],
        ),
        (
            "a citizen's document: the district's staff",
            event("complaint.document_added", by="citizen", document={"filename": "a.pdf"}),
            contact(),
            [AGENT],
            [("agent@city.ma", "agent", "staff_update", "fr", "staff")],
        ),
        (
            "a staff member's remark: nobody",
            event("complaint.remark_added", by="staff", text="Seen"),
            contact(),
            [AGENT],
            [],
        ),
        (
            "an overdue deadline in a district with supervisors: the supervisors only",
            event("complaint.overdue", deadline="answer", due=AT),
            contact(),
            [SUPERVISOR, ADMIN],
            [("boss@city.ma", "supervisor", "staff_overdue", "ar", "staff")],
        ),
        (
            "an overdue deadline in a district without supervisors: the administrators",
            event("complaint.overdue", deadline="answer", due=AT),
            contact(),
            [ADMIN],
            [("root@city.ma", "admin", "staff_overdue", "fr", "staff")],
        ),
        (
            "a request to follow: the address asked for, to confirm",
            event(
                "complaint.follow_requested",
                follower={"id": "f1", "email": "n@example.ma", "language": "ar"},
                expires_at=AT,
            ),
            contact(),
            [],
            [("n@example.ma", "follower", "follow_confirm", "ar", "confirm")],
        ),
        (
            "a follow confirmed: nobody (the page said so)",
            event("complaint.followed", follower={"id": "f1", "email": "n@example.ma"}, via="follow"),
            contact(),
            [],
            [],
        ),
        (
            "a follower a merge brought: told which complaint theirs is handled with",
            event(
                "complaint.followed",
                follower={"id": "f1", "email": "n@example.ma"},
                via="merge",
                merged_from="RC-2026-AAAAAAA",
            ),
            contact(),
            [],
            [("n@example.ma", "follower", "following", "fr", "unfollow")],
        ),
        (
            "an event notification does not email about",
            event("complaint.assigned", agent="agent"),
            contact(),
            DISTRICT,
            [],
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and " " in value else "",
)
def test_who_is_emailed_for_each_event(name, the_event, the_contact, staff, expected):
    assert sent(rules.plan(the_event, the_contact, staff)) == expected


@pytest.mark.parametrize(
    ("status", "template"),
    [
        ("acknowledged", "status"),
        ("in_progress", "status"),
        ("resolved", "answer"),
        ("rejected", "answer"),
        ("reopened", "reopened"),
        ("closed", "status"),
    ],
)
def test_each_status_has_its_email_to_the_citizen(status, template):
    change = event("complaint.status_changed", status=status, answer_due=AT, public_note="Done")
    assert sent(rules.plan(change, contact(), [])) == [
        ("nadia@example.ma", "citizen", template, "en", "complaint")
    ]


@pytest.mark.parametrize(
    ("data", "can_reopen", "until"),
    [
        ({"reopen_until": "2026-04-01T08:00:00.000Z"}, True, datetime(2026, 4, 1, 8, tzinfo=UTC)),
        ({"reopen_until": None}, False, None),  # the limit reached: tracking says none
        ({}, False, None),  # published before tracking said: read as none
    ],
    ids=["until a time", "null", "absent"],
)
def test_the_answer_tells_of_reopening_as_tracking_says(data, can_reopen, until):
    change = event("complaint.status_changed", status="resolved", **data)
    [answer] = rules.plan(change, contact(), [])
    assert (answer["context"]["can_reopen"], answer["context"]["reopen_until"]) == (can_reopen, until)


@pytest.mark.parametrize(
    ("data", "followers", "told", "note"),
    [
        ({"published": True, "by": "staff"}, {"f1": follower("f@x.ma")}, ["f@x.ma"], "Done"),
        ({"published": False, "by": "staff"}, {"f1": follower("f@x.ma")}, ["f@x.ma"], None),
        ({"published": True, "by": "citizen"}, {"f1": follower("f@x.ma")}, ["f@x.ma"], None),
        ({"published": True, "duplicate_of": "RC-2026-KEPT000"}, {"f1": follower("f@x.ma")}, [], None),
        ({"published": True}, {"f1": follower("late@x.ma", since="2026-03-03T00:00:00.000Z")}, [], None),
        ({"published": True}, {"f1": {"removed_at": AT}}, [], None),
    ],
    ids=["published", "not published", "the citizen's words", "merged", "followed since", "removed"],
)
def test_followers_get_the_citys_public_note_only(data, followers, told, note):
    change = event("complaint.status_changed", status="in_progress", public_note="Done", **data)
    emails = rules.plan(change, contact(followers=followers), [])
    to_followers = [e for e in emails if e["role"] == "follower"]
    assert [e["recipient"] for e in to_followers] == told
    assert all(e["context"]["public_note"] == note for e in to_followers)
    # Nothing of the citizen's words, nor their name, reaches a follower.
    assert all({"complaint_subject", "citizen_name"}.isdisjoint(e["context"]) for e in to_followers)


@pytest.mark.parametrize(
    ("the_event", "the_contact", "roles"),
    [
        (submitted(), contact(), ("agent", "supervisor")),
        (submitted(district=None), contact(district=None), ("admin",)),
        (event("complaint.placed", district="anfa"), contact(), ("agent", "supervisor")),
        (event("complaint.placed", district="sbata"), contact(), ()),
        (event("complaint.reopened"), contact(), ("agent", "supervisor")),
        (event("complaint.document_added", by="citizen"), contact(), ("agent", "supervisor")),
        (event("complaint.remark_added", by="staff"), contact(), ()),
        (event("complaint.overdue"), contact(), ("supervisor", "admin")),
        (event("complaint.status_changed", status="resolved"), contact(), ()),
        (event("complaint.follow_requested"), contact(), ()),
    ],
)
def test_the_staff_looked_up_for_each_event(the_event, the_contact, roles):
    assert rules.staff_roles(the_event, the_contact) == roles


@pytest.mark.parametrize(
    ("language", "district", "district_name"),
    [
        ("en", "anfa", "Anfa"),
        ("ar", "anfa", "أنفا"),
        ("fr", None, None),
    ],
)
def test_the_names_are_in_the_recipients_language(language, district, district_name):
    [ack] = rules.plan(submitted(), contact(language=language, district=district), [])
    assert (ack["language"], ack["context"]["district_name"]) == (language, district_name)


@pytest.mark.parametrize(
    ("role", "pool"), [("citizen", ""), ("agent", ""), ("admin", ""), ("follower", "followers")]
)
def test_only_the_emails_strangers_can_cause_take_the_followers_slots(role, pool):
    assert rules.sending_pool(role) == pool


@pytest.mark.parametrize(
    ("citizen", "language"),
    [
        ({"email": "a@x.ma", "language": "ar"}, "ar"),
        ({"email": "a@x.ma"}, "fr"),
        ({"email": "a@x.ma", "language": None}, "fr"),
    ],
)
def test_the_contact_kept_has_the_citizens_language_or_french(citizen, language):
    data = {**submitted()["data"], "category": "roads", "subject": "S", "citizen": citizen}
    assert rules.contact_of(data)["language"] == language
