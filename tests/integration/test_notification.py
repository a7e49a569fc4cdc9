"""Notification against the real store and a real SMTP server: once per event and recipient."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from common import config
from common.consumer import DependencyUnavailable
from common.envelope import isoformat, new_event, utcnow
from services.notification import handlers, store
from tests.integration.mail import submitted, with_number


def member(db, username: str, role: str, districts: list[str], email: str | None) -> None:
    handlers.on_member_changed(
        db,
        new_event(
            "staff.member_changed",
            source="tracking",
            subject=username,
            data={
                "username": username,
                "role": role,
                "districts": districts,
                "email": email,
                "name": None,
                "language": "fr",
                "active": True,
            },
        ),
    )


def test_a_submission_mails_the_citizen_and_the_districts_staff_once(db, mailbox):
    run = uuid.uuid4().hex[:6]
    member(db, f"agent-{run}", "agent", ["anfa"], f"agent-{run}@city.ma")
    member(db, f"super-{run}", "supervisor", ["anfa"], f"super-{run}@city.ma")
    member(db, f"far-{run}", "agent", ["sbata"], f"far-{run}@city.ma")
    member(db, f"nomail-{run}", "agent", ["anfa"], None)
    member(db, f"admin-{run}", "admin", ["*"], f"admin-{run}@city.ma")
    event = with_number(submitted(f"citizen-{run}@example.ma", district="anfa", language="en"))
    handlers.on_submitted(db, event)
    handlers.on_submitted(db, event)  # delivered twice
    mails = mailbox.messages(event["subject"])
    assert sorted(m["To"] for m in mails) == sorted(
        [f"citizen-{run}@example.ma", f"agent-{run}@city.ma", f"super-{run}@city.ma"]
    )
    ack = next(m for m in mails if m["To"].startswith("citizen"))
    assert ack["Subject"].startswith("We received your complaint")


def test_a_worker_killed_mid_send_sends_on_redelivery_and_one_that_had_sent_does_not(db, mailbox):
    event = with_number(submitted(f"killed-{uuid.uuid4().hex[:6]}@example.ma"))
    recipient = event["data"]["citizen"]["email"]
    key = store.delivery_key(event["id"], "acknowledgement", recipient)
    # The previous worker recorded its intent, then died before the server had the message.
    store.record_intent(
        db, key=key, number=event["subject"], template="acknowledgement", recipient=recipient, role="citizen"
    )
    handlers.on_submitted(db, event)
    assert len(mailbox.messages(event["subject"])) == 1
    # This worker sent it and marked it, then died before acking: the redelivery sends nothing.
    handlers.on_submitted(db, event)
    assert len(mailbox.messages(event["subject"])) == 1
    assert db[store.DELIVERIES].find_one({"_id": key})["status"] == "sent"


def test_a_refused_address_is_recorded_and_reported(db, mailbox, listener):
    failures = listener("notification.failed")
    event = with_number(submitted("refused@example.ma"))
    handlers.on_submitted(db, event)
    delivery = db[store.DELIVERIES].find_one({"number": event["subject"], "template": "acknowledgement"})
    assert delivery["status"] == "failed" and "550" in delivery["error"]
    reported = failures(1)
    assert [f["data"]["template"] for f in reported] == ["acknowledgement"]
    assert "refused@example.ma" not in str(reported) + delivery["error"]  # the event goes to integrators


def test_a_mail_server_that_is_down_defers_the_event(db, mailbox):
    mailbox.stop()
    event = with_number(submitted(f"later-{uuid.uuid4().hex[:6]}@example.ma"))
    with pytest.raises(DependencyUnavailable):
        handlers.on_submitted(db, event)
    mailbox.start()
    handlers.on_submitted(db, event)
    assert len(mailbox.messages(event["subject"])) == 1


def test_no_address_gets_more_than_the_hourly_cap(db, mailbox, monkeypatch):
    monkeypatch.setenv("MAIL_CAP_PER_HOUR", "2")
    config.reload()
    email = f"flooded-{uuid.uuid4().hex[:6]}@example.ma"
    events = [with_number(submitted(email)) for _ in range(3)]
    for event in events:
        handlers.on_submitted(db, event)
    assert len([m for m in mailbox.messages() if m["To"] == email]) == 2
    capped = db[store.DELIVERIES].find_one({"number": events[2]["subject"]})
    assert capped["status"] == "capped"


def test_the_hourly_cap_is_exact_when_workers_send_to_one_address_at_once(db, mailbox, monkeypatch):
    monkeypatch.setenv("MAIL_CAP_PER_HOUR", "5")
    config.reload()
    email = f"raced-{uuid.uuid4().hex[:6]}@example.ma"
    events = [with_number(submitted(email)) for _ in range(24)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda event: handlers.on_submitted(db, event), events))
    assert len([m for m in mailbox.messages() if m["To"] == email]) == 5
    numbers = [event["subject"] for event in events]
    statuses = [d["status"] for d in db[store.DELIVERIES].find({"number": {"$in": numbers}})]
    assert sorted(statuses) == ["capped"] * 19 + ["sent"] * 5
    # Delivered again, the capped events stay capped and the sent ones are not sent twice.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda event: handlers.on_submitted(db, event), events))
    assert len([m for m in mailbox.messages() if m["To"] == email]) == 5


def test_a_cap_of_zero_sends_nothing(db, mailbox, monkeypatch):
    monkeypatch.setenv("MAIL_CAP_PER_HOUR", "0")
    config.reload()
    event = with_number(submitted(f"never-{uuid.uuid4().hex[:6]}@example.ma"))
    handlers.on_submitted(db, event)
    assert mailbox.messages(event["subject"]) == []
    assert db[store.DELIVERIES].find_one({"number": event["subject"]})["status"] == "capped"


def test_an_email_refused_for_good_gives_its_place_under_the_cap_back(db, mailbox, monkeypatch):
    monkeypatch.setenv("MAIL_CAP_PER_HOUR", "1")
    config.reload()
    handlers.on_submitted(db, with_number(submitted("refused@example.ma")))
    handlers.on_submitted(db, with_number(submitted("refused@example.ma")))
    failed = db[store.DELIVERIES].find({"recipient_hash": store.recipient_hash("refused@example.ma")})
    assert {d["status"] for d in failed} == {"failed"}  # each was tried: none took the other's place


def test_an_event_about_an_unknown_complaint_waits_for_its_submission(db, mailbox):
    event = new_event(
        "complaint.status_changed",
        source="tracking",
        subject="RC-2026-UNKNOWN",
        data={"number": "RC-2026-UNKNOWN", "status": "in_progress", "at": isoformat(utcnow())},
    )
    with pytest.raises(DependencyUnavailable):
        handlers.on_status_changed(db, event)


def test_an_overdue_deadline_alerts_the_districts_supervisors_or_else_the_administrators(db, mailbox):
    run = uuid.uuid4().hex[:6]
    member(db, f"boss-{run}", "supervisor", ["hay-hassani"], f"boss-{run}@city.ma")
    member(db, f"worker-{run}", "agent", ["hay-hassani"], f"worker-{run}@city.ma")
    member(db, f"root-{run}", "admin", ["*"], f"root-{run}@city.ma")
    supervised = with_number(submitted(f"a-{run}@example.ma", district="hay-hassani"))
    unsupervised = with_number(submitted(f"b-{run}@example.ma", district="ain-chock"))
    for event in (supervised, unsupervised):
        handlers.on_submitted(db, event)
        handlers.on_overdue(
            db,
            new_event(
                "complaint.overdue",
                source="tracking",
                subject=event["subject"],
                data={
                    "number": event["subject"],
                    "deadline": "acknowledgement",
                    "due": isoformat(utcnow()),
                    "status": "received",
                },
            ),
        )

    def overdue_to(event):
        return sorted(
            m["To"]
            for m in mailbox.messages(event["subject"])
            if m["X-Notification-Key"].split(":")[1] == "staff_overdue"
        )

    assert overdue_to(supervised) == [f"boss-{run}@city.ma"]
    assert f"root-{run}@city.ma" in overdue_to(unsupervised)


def test_an_open311_request_without_district_or_email_goes_to_the_administrators_then_the_district(
    db, mailbox
):
    run = uuid.uuid4().hex[:6]
    member(db, f"agent-{run}", "agent", ["sbata"], f"agent-{run}@city.ma")
    member(db, f"admin-{run}", "admin", ["*"], f"admin-{run}@city.ma")
    event = with_number(submitted(f"unused-{run}@example.ma", district=None))
    event["data"]["citizen"]["email"] = None
    event["data"]["district_name"] = None
    handlers.on_submitted(db, event)
    number = event["subject"]
    first = mailbox.messages(number)
    assert f"admin-{run}@city.ma" in [m["To"] for m in first]  # no citizen address, no district yet
    assert all(m["To"].startswith(("admin-", "root-")) for m in first)
    assert "Open311" in first[0].get_body(("plain",)).get_content()
    assert "à rattacher" in first[0]["Subject"]

    placement = new_event(
        "complaint.placed",
        source="tracking",
        subject=number,
        data={
            "number": number,
            "district": "sbata",
            "category": "roads",
            "department": "roads",
            "previous_district": None,
            "district_name": {"fr": "Sbata", "ar": "سباتة", "en": "Sbata"},
            "at": isoformat(utcnow()),
            "by": "staff",
        },
    )
    handlers.on_placed(db, placement)
    handlers.on_placed(db, placement)  # delivered twice
    told = [m for m in mailbox.messages(number) if m["To"] == f"agent-{run}@city.ma"]
    assert len(told) == 1  # once, though delivered twice
    assert sum(m["To"] == f"admin-{run}@city.ma" for m in mailbox.messages(number)) == 1
    told = told[0]
    body = told.get_body(("plain",)).get_content()
    assert "rattachée à votre arrondissement (Sbata)" in body and "Un trou" in body
    assert store.find_complaint(db, number)["district"] == "sbata"


def tracking_event(type_: str, number: str, **data) -> dict:
    at = isoformat(utcnow())
    base = {"number": number, "district": "sidi-moumen", "category": "roads", "department": "roads", "at": at}
    return new_event(type_, source="tracking", subject=number, data={**base, **data})


def followed(number: str, email: str) -> dict:
    from services.tracking.following import follower_id

    follower = {"id": follower_id(email), "email": email, "language": "fr"}
    return tracking_event(
        "complaint.followed", number, follower=follower, via="follow", merged_from=None, moved_from=None
    )


def changed(number: str, status: str, *, by: str = "staff", note: str | None = None, **data) -> dict:
    """Return a complaint.status_changed of a complaint its citizen consented to publish."""
    fields = {
        "previous": "received",
        "reason": None,
        "reopen_count": 0,
        "published": True,
        "duplicate_of": None,
    }
    return tracking_event(
        "complaint.status_changed",
        number,
        **{**fields, **data},
        status=status,
        by=by,
        public_note=note,
        answer_due=isoformat(utcnow()),
    )


def follow_requested(number: str, email: str) -> dict:
    from services.tracking.following import follower_id

    follower = {"id": follower_id(email), "email": email, "language": "fr"}
    return tracking_event(
        "complaint.follow_requested", number, follower=follower, expires_at=isoformat(utcnow())
    )


def test_strangers_asking_to_follow_with_an_address_never_take_its_own_emails_place(db, mailbox, monkeypatch):
    """20 open complaints followed with a victim's address fill the cap of the emails strangers can
    cause (the requests to confirm); the victim's own acknowledgement is sent all the same."""
    monkeypatch.setenv("MAIL_CAP_PER_HOUR", "5")
    config.reload()
    victim = f"victim-{uuid.uuid4().hex[:6]}@example.ma"
    others = [with_number(submitted(f"c{i}@example.ma")) for i in range(20)]
    for event in others:
        handlers.on_submitted(db, event)
    for event in others:
        handlers.on_follow_requested(db, follow_requested(event["subject"], victim))
    own = with_number(submitted(victim))
    handlers.on_submitted(db, own)
    to_victim = [m for m in mailbox.messages() if m["To"] == victim]
    confirmations = [m for m in to_victim if m["X-Complaint-Number"] != own["subject"]]
    assert len(confirmations) == 5  # the strangers' pool is capped
    assert [m for m in to_victim if m["X-Complaint-Number"] == own["subject"]], (
        "the acknowledgement was capped"
    )
    link = confirmations[0].get_body(("plain",)).get_content()
    assert "/follow/confirm?token=" in link and "Trou" not in link  # nothing of the complaint's words


def test_followers_get_the_citys_public_answer_only_when_published_and_never_a_closed_merge(db, mailbox):
    follower = f"follower-{uuid.uuid4().hex[:6]}@example.ma"
    notes = {}
    for published in (True, False):
        event = with_number(submitted("citizen@example.ma"))
        handlers.on_submitted(db, event)
        number = event["subject"]
        handlers.on_followed(db, followed(number, follower))
        handlers.on_status_changed(
            db, changed(number, "resolved", note="La chaussée a été refaite.", published=published)
        )
        # The citizen's words: never to a follower.
        reopened = changed(
            number, "reopened", by="citizen", note="Mes voisins me disent que non.", published=published
        )
        handlers.on_status_changed(db, reopened)
        closed = changed(
            number, "closed", note="Doublon", published=published, duplicate_of="RC-2026-KEPT000"
        )
        handlers.on_status_changed(db, closed)
        texts = [
            m.get_body(("plain",)).get_content() for m in mailbox.messages(number) if m["To"] == follower
        ]
        assert len(texts) == 2  # resolved, reopened: not the merge's closing
        notes[published] = texts
    assert "La chaussée a été refaite." in notes[True][0]
    assert "La chaussée a été refaite." not in notes[False][0]
    assert not any("Mes voisins" in text for text in notes[True] + notes[False])


def test_a_follower_erased_stays_erased_when_the_follow_comes_late(db, mailbox):
    """An erasure's complaint.unfollowed handled before the complaint.followed it ends (a retry)."""
    from services.tracking.following import follower_id

    follower = f"erased-{uuid.uuid4().hex[:6]}@example.ma"
    event = with_number(submitted("citizen@example.ma"))
    handlers.on_submitted(db, event)
    number = event["subject"]
    late = followed(number, follower)
    handlers.on_unfollowed(
        db, tracking_event("complaint.unfollowed", number, follower_id=follower_id(follower), reason="erased")
    )
    handlers.on_followed(db, late)  # it happened before the erasure
    handlers.on_status_changed(db, changed(number, "in_progress"))
    assert mailbox.messages(number)  # the citizen was told
    assert not [m for m in mailbox.messages(number) if m["To"] == follower]


@pytest.mark.parametrize("still_open", [True, False], ids=["open: followers kept", "closed: followers gone"])
def test_a_citizens_erasure_keeps_the_followers_of_an_open_complaint(db, mailbox, still_open):
    follower = f"neighbour-{uuid.uuid4().hex[:6]}@example.ma"
    event = with_number(submitted("erased.citizen@example.ma"))
    handlers.on_submitted(db, event)
    number = event["subject"]
    late = followed(number, follower)
    handlers.on_followed(db, late)
    anonymised = tracking_event(
        "complaint.anonymised", number, reason="request", followers_removed=not still_open
    )
    handlers.on_anonymised(db, anonymised)
    handlers.on_followed(db, late)  # retried: it happened before the anonymisation
    handlers.on_status_changed(db, changed(number, "in_progress"))
    to_follower = [m for m in mailbox.messages(number) if m["To"] == follower]
    assert len(to_follower) == (1 if still_open else 0)
    assert [m["To"] for m in mailbox.messages(number)].count("erased.citizen@example.ma") == 1  # the ack only
