"""Everyone is told, exactly once, in their language: a complaint's whole life, read from the mailbox."""

from __future__ import annotations

import json
import uuid
from collections import Counter

import pika
import pymongo

from services.notification import store as notification_store
from tests.e2e.users import citizen, staff
from tests.support import let_time_pass, wait_for


def _template(message) -> str:
    return message["X-Notification-Key"].split(":")[1]


def test_a_complaints_whole_life_leaves_exactly_the_promised_emails(platform):
    run = uuid.uuid4().hex[:6]
    admin = staff(platform, "admin", "e2e-admin-pass")
    people = {}
    for key, role, language in (("agent", "agent", "ar"), ("supervisor", "supervisor", "fr")):
        username = f"mail-{key}-{run}"
        created = admin.post(
            "/staff/members",
            json={
                "username": username,
                "password": "a-long-password",
                "role": role,
                "districts": ["maarif"],
                "email": f"{username}@city.ma",
                "language": language,
            },
        )
        assert created.status_code == 201, created.text
        people[key] = staff(platform, username, "a-long-password")
    with pymongo.MongoClient(f"mongodb://127.0.0.1:{platform.base_port + 6}/") as client:
        directory = client["complaints"][notification_store.STAFF]
        members = [f"mail-{key}-{run}" for key in people]
        wait_for(
            lambda: directory.count_documents({"_id": {"$in": members}}) == len(members),
            10,
            0.1,
            "the directory to reach notification through its event",
        )

    email = f"life-{run}@example.ma"
    body = {
        "kind": "complaint",
        "category": "cleanliness",
        "district": "maarif",
        "subject": "Dépôt sauvage",
        "description": "Des gravats depuis un mois.",
        "citizen": {"email": email, "language": "en"},
        "consent": True,
    }
    number = platform.http.post(f"{platform.url}/api/v1/complaints", json=body, timeout=10).json()["number"]
    me = citizen(platform, number, email)
    agent, supervisor = people["agent"], people["supervisor"]
    me.post(f"/complaints/{number}/remarks", json={"text": "It smells."})
    secret = f"internal-{run}"
    steps = [
        (agent, {"to": "in_progress", "public_note": "A truck is on its way.", "internal_note": secret}),
        (agent, {"to": "resolved", "public_note": "Cleared.", "internal_note": secret}),
    ]
    for who, transition in steps:
        assert who.post(f"/staff/complaints/{number}/transitions", json=transition).status_code == 200
    assert me.post(f"/complaints/{number}/reopen", json={"reason": "They came back."}).status_code == 200
    for who, transition in [
        (agent, {"to": "in_progress", "public_note": "Again.", "internal_note": secret}),
        (agent, {"to": "rejected", "reason": "Private land.", "public_note": "See the owner."}),
        (supervisor, {"to": "closed"}),
    ]:
        assert who.post(f"/staff/complaints/{number}/transitions", json=transition).status_code == 200

    to_citizen = ["acknowledgement", "status", "answer", "reopened", "status", "answer", "status"]
    to_each_staff = ["staff_new", "staff_update", "staff_reopened"]

    def mailbox():
        mails = platform.emails_for(number)
        return mails if len(mails) >= len(to_citizen) + 2 * len(to_each_staff) else None

    mails = wait_for(mailbox, 30, 0.2, "every email of the complaint's life")
    let_time_pass(1.5, "and no more than those: one more would have arrived by now")
    mails = platform.emails_for(number)
    by_person = {}
    for mail in mails:
        by_person.setdefault(mail["To"], []).append(mail)
    assert Counter(_template(m) for m in by_person[email]) == Counter(to_citizen)
    for key in ("agent", "supervisor"):
        received = by_person[f"mail-{key}-{run}@city.ma"]
        assert Counter(_template(m) for m in received) == Counter(to_each_staff)
    assert set(by_person) == {email, f"mail-agent-{run}@city.ma", f"mail-supervisor-{run}@city.ma"}

    for mail in mails:
        text = mail.get_body(("plain",)).get_content()
        assert number in mail["Subject"] and number in text
        assert secret not in text and secret not in mail.get_body(("html",)).get_content()
    english = [m for m in by_person[email] if _template(m) == "answer"]
    assert all(
        "Private land." in m.get_body(("plain",)).get_content()
        or "Cleared." in m.get_body(("plain",)).get_content()
        for m in english
    )
    arabic = by_person[f"mail-agent-{run}@city.ma"][0].get_body(("html",)).get_content()
    assert 'dir="rtl"' in arabic

    view = wait_for(
        lambda: (
            (v := me.get(f"/complaints/{number}").json())
            and all("notified_at" in e for e in v["timeline"])
            and v
        ),
        15,
        0.2,
        "the timeline to show every notification",
    )
    assert [e["status"] for e in view["timeline"]] == [
        "received",
        "in_progress",
        "resolved",
        "reopened",
        "in_progress",
        "rejected",
        "closed",
    ]


def test_a_duplicated_event_and_a_killed_worker_still_send_one_email_each(platform):
    listener = platform.listen("complaint.submitted")
    numbers = []
    for i in range(8):
        answer = platform.submit(citizen={"email": f"twice-{i}-{uuid.uuid4().hex[:4]}@example.ma"})
        numbers.append(answer.json()["number"])
        if i % 3 == 2:
            platform.ctl("signal", "KILL", "notification-worker")
    events = wait_for(lambda: (found := listener()) and found, 10)
    listener.close()

    connection = pika.BlockingConnection(
        pika.URLParameters(f"amqp://guest:guest@127.0.0.1:{platform.base_port + 7}/%2F")
    )
    channel = connection.channel()
    for event in events[:3]:
        channel.basic_publish(
            "complaints.events",
            event["type"],
            json.dumps(event).encode(),
            pika.BasicProperties(delivery_mode=2, content_type="application/cloudevents+json"),
        )
    connection.close()
    platform.ctl("signal", "KILL", "notification-worker")

    for number in numbers:
        wait_for(lambda n=number: platform.emails_for(n), 60, 0.2, f"the acknowledgement of {number}")
    let_time_pass(3, "an acknowledgement sent twice would have arrived by now")
    assert {number: len(platform.emails_for(number)) for number in numbers} == {
        number: 1 for number in numbers
    }
