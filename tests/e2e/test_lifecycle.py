"""A complaint's whole life through the gateway: documents, remarks, treatment, reopening, refusals."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.e2e.filing import PDF, file_complaint, jpeg, png
from tests.e2e.users import Client, citizen, staff
from tests.support import wait_for


@pytest.fixture(scope="module")
def admin(platform):
    return staff(platform, "admin", "e2e-admin-pass")


@pytest.fixture(scope="module")
def team(platform, admin):
    """An agent and a supervisor for Anfa, an agent for Sbata."""
    run = uuid.uuid4().hex[:6]
    members = {}
    for key, role, district in (
        ("agent", "agent", "anfa"),
        ("supervisor", "supervisor", "anfa"),
        ("outsider", "agent", "sbata"),
    ):
        username = f"{key}.{run}"
        answer = admin.post(
            "/staff/members",
            json={"username": username, "password": "a-long-password", "role": role, "districts": [district]},
        )
        assert answer.status_code == 201, answer.text
        members[key] = staff(platform, username, "a-long-password")
        members[key].username = username
    return members


def test_a_complaint_lives_its_whole_life(platform, team):
    events = platform.listen("complaint.#")
    email = f"life.{uuid.uuid4().hex[:6]}@example.ma"
    number = file_complaint(platform, email, [("photo.jpg", jpeg()), ("lettre.pdf", PDF)])
    me = citizen(platform, number, email)
    view = me.get(f"/complaints/{number}").json()
    assert [(d["filename"], d["content_type"]) for d in view["documents"]] == [
        ("photo.jpg", "image/jpeg"),
        ("lettre.pdf", "application/pdf"),
    ]

    added = me.post(f"/complaints/{number}/documents", files={"file": ("plan.png", png())})
    assert added.status_code == 201 and added.json()["content_type"] == "image/png"
    remark = me.post(f"/complaints/{number}/remarks", json={"text": "Un enfant est tombé hier."})
    assert remark.status_code == 201
    view = me.get(f"/complaints/{number}").json()
    assert len(view["documents"]) == 3 and view["remarks"][0]["text"] == "Un enfant est tombé hier."
    download = me.get(f"/complaints/{number}/documents/{added.json()['id']}")
    assert download.status_code == 200 and download.content == png()
    assert download.headers["Content-Type"] == "image/png"
    photo, letter = view["documents"][:2]  # the photo is shown by its copies, made by the platform
    assert set(photo["copies"]) == {"thumb", "display"} and "copies" not in letter
    thumb = me.get(f"/complaints/{number}/documents/{photo['id']}/thumb")
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in thumb.headers["Cache-Control"]

    agent = team["agent"]
    queue = agent.get("/staff/complaints", params={"q": "effondré", "status": "received"}).json()
    assert number in [item["number"] for item in queue["items"]]
    full = agent.get(f"/staff/complaints/{number}").json()
    assert full["citizen"]["email"] == email
    assert agent.get(f"/staff/complaints/{number}/documents/{added.json()['id']}").content == png()
    shown = agent.get(f"/staff/complaints/{number}/documents/{photo['id']}/display")
    assert shown.status_code == 200 and shown.headers["Content-Type"] == "image/jpeg"

    moved = agent.post(
        f"/staff/complaints/{number}/transitions",
        json={
            "to": "in_progress",
            "public_note": "Une équipe passe jeudi.",
            "internal_note": "Entreprise Dalles & Co, bon n° 4471-Z",
        },
    )
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    assigned = agent.post(f"/staff/complaints/{number}/assignment", json={"agent": agent.username})
    assert assigned.status_code == 200 and assigned.json()["assignment"]["agent"] == agent.username
    answered = agent.post(
        f"/staff/complaints/{number}/transitions",
        json={
            "to": "resolved",
            "public_note": "Les dalles ont été reposées.",
            "internal_note": "Coût 2 300 MAD",
        },
    )
    assert answered.status_code == 200

    seen = me.get(f"/complaints/{number}")
    body = seen.json()
    assert body["status"] == "resolved" and body["can_reopen"] is True
    assert [(e["status"], e["note"], e["by"]) for e in body["timeline"]] == [
        ("received", None, "citizen"),
        ("in_progress", "Une équipe passe jeudi.", "staff"),
        ("resolved", "Les dalles ont été reposées.", "staff"),
    ]
    for secret in ("Dalles & Co", "bon n° 4471-Z", "2 300 MAD", agent.username):
        assert secret not in seen.text

    no_reason = me.post(f"/complaints/{number}/reopen", json={"reason": " "})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    reopened = me.post(f"/complaints/{number}/reopen", json={"reason": "Une dalle bouge encore."})
    assert reopened.status_code == 200 and reopened.json()["status"] == "reopened"
    again = me.post(f"/complaints/{number}/reopen", json={"reason": "encore"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    back = agent.post(
        f"/staff/complaints/{number}/transitions", json={"to": "in_progress", "public_note": "Nous revenons."}
    )
    assert back.status_code == 200 and back.json()["status"] == "in_progress"

    expected = [
        "complaint.submitted",
        "complaint.document_added",
        "complaint.remark_added",
        "complaint.status_changed",
        "complaint.assigned",
        "complaint.status_changed",
        "complaint.status_changed",
        "complaint.reopened",
        "complaint.status_changed",
    ]
    received: list[dict] = []
    wait_for(lambda: received.extend(e for e in events() if e["subject"] == number) or len(received) >= 9, 10)
    events.close()
    assert sorted(e["type"] for e in received) == sorted(expected)
    changes = [
        (e["data"]["previous"], e["data"]["status"])
        for e in received
        if e["type"] == "complaint.status_changed"
    ]
    assert changes == [
        ("received", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "reopened"),
        ("reopened", "in_progress"),
    ]
    assert "Dalles & Co" not in json.dumps(received) and "2 300 MAD" not in json.dumps(received)

    audit = team["supervisor"].get(f"/staff/complaints/{number}/audit").json()["items"]
    assert [e["action"] for e in audit if e["action"] not in ("read", "document_read")] == [
        "transition",
        "assignment",
        "transition",
        "transition",
    ]
    assert any(e["action"] == "read" and e["actor"] == agent.username for e in audit)
    assert any(e["action"] == "document_read" and e["actor"] == agent.username for e in audit)


def test_refused_actions_get_the_contract_shape_and_change_nothing(platform, team):
    email = f"refused.{uuid.uuid4().hex[:6]}@example.ma"
    number = file_complaint(platform, email, [])
    me = citizen(platform, number, email)
    # Once the acknowledgement is sent and shown, nothing but the refused actions could change the view.
    before = wait_for(
        lambda: (v := me.get(f"/complaints/{number}").json())["timeline"][0].get("notified_at") and v,
        15,
        0.1,
        "the acknowledgement to be shown",
    )

    refusals = [
        (
            team["agent"].post(f"/staff/complaints/{number}/transitions", json={"to": "resolved"}),
            409,
            "conflict",
        ),
        (
            team["agent"].post(f"/staff/complaints/{number}/transitions", json={"to": "rejected"}),
            400,
            "validation_error",
        ),
        (
            team["agent"].post(f"/staff/complaints/{number}/transitions", json={"to": "closed"}),
            409,
            "conflict",
        ),
        (
            team["agent"].post(
                f"/staff/complaints/{number}/transitions", json={"to": "in_progress", "status": "x"}
            ),
            400,
            "validation_error",
        ),
        (team["outsider"].get(f"/staff/complaints/{number}"), 404, "not_found"),
        (
            team["outsider"].post(f"/staff/complaints/{number}/transitions", json={"to": "acknowledged"}),
            404,
            "not_found",
        ),
        (
            team["agent"].post(
                "/staff/members",
                json={"username": "sneaky", "password": "a-long-password", "role": "admin", "districts": []},
            ),
            403,
            "forbidden",
        ),
        (Client(platform, "forged.token").get(f"/complaints/{number}"), 401, "unauthorized"),
        (
            me.post(
                f"/complaints/{number}/documents",
                files={"file": ("facture.pdf", b"MZ\x90\x00" + b"\0" * 512)},
            ),
            415,
            "unsupported_media_type",
        ),
        (
            me.post(
                f"/complaints/{number}/documents",
                files={"file": ("big.pdf", PDF + b"0" * (11 * 1024 * 1024))},
            ),
            413,
            "payload_too_large",
        ),
        (me.post(f"/complaints/{number}/reopen", json={"reason": "trop tôt"}), 409, "conflict"),
        (me.post(f"/complaints/{number}/remarks", json={"text": {"$ne": ""}}), 400, "validation_error"),
    ]
    for answer, status, code in refusals:
        assert answer.status_code == status, answer.text
        assert answer.json()["error"]["code"] == code
    after = me.get(f"/complaints/{number}").json()
    assert after == before

    other_email = f"other.{uuid.uuid4().hex[:6]}@example.ma"
    other = citizen(platform, file_complaint(platform, other_email, []), other_email)
    assert other.get(f"/complaints/{number}").status_code == 404


def test_a_complaint_holds_at_most_ten_documents(platform):
    email = f"docs.{uuid.uuid4().hex[:6]}@example.ma"
    eleven = [(f"scan{i}.pdf", PDF + f"%{i}\n%%EOF\n".encode()) for i in range(11)]
    too_many = platform.http.post(
        f"{platform.url}/api/v1/complaints",
        timeout=30,
        files=[("documents", d) for d in eleven],
        data={
            "complaint": json.dumps(
                {
                    "kind": "complaint",
                    "category": "roads",
                    "district": "anfa",
                    "subject": "s",
                    "description": "d",
                    "citizen": {"email": email},
                    "consent": True,
                }
            )
        },
    )
    assert too_many.status_code == 409 and too_many.json()["error"]["code"] == "too_many_documents"
    number = file_complaint(platform, email, eleven[:10])
    me = citizen(platform, number, email)
    eleventh = me.post(f"/complaints/{number}/documents", files={"file": eleven[10]})
    assert eleventh.status_code == 409 and eleventh.json()["error"]["code"] == "too_many_documents"
    assert len(me.get(f"/complaints/{number}").json()["documents"]) == 10


def test_supervisors_close_and_admins_manage_the_catalogue(platform, admin, team):
    email = f"close.{uuid.uuid4().hex[:6]}@example.ma"
    number = file_complaint(platform, email, [])
    citizen(platform, number, email)
    rejected = team["agent"].post(
        f"/staff/complaints/{number}/transitions",
        json={
            "to": "rejected",
            "reason": "Hors compétence communale.",
            "public_note": "Adressez-vous à la préfecture.",
        },
    )
    assert rejected.status_code == 200
    assert (
        team["agent"].post(f"/staff/complaints/{number}/transitions", json={"to": "closed"}).status_code
        == 403
    )
    closed = team["supervisor"].post(f"/staff/complaints/{number}/transitions", json={"to": "closed"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"

    code = f"test-{uuid.uuid4().hex[:6]}"
    names = {"fr": "Quartier test", "ar": "حي تجريبي", "en": "Test quarter"}
    assert (
        team["supervisor"].post("/staff/catalog/districts", json={"code": code, "name": names}).status_code
        == 403
    )
    assert admin.post("/staff/catalog/districts", json={"code": code, "name": names}).status_code == 201

    def listed():
        return code in [
            d["code"] for d in platform.http.get(f"{platform.url}/api/v1/catalog").json()["districts"]
        ]

    wait_for(listed, 10, 0.2, "the new district in the catalogue")
    assert admin.patch(f"/staff/catalog/districts/{code}", json={"active": False}).json()["active"] is False
    wait_for(lambda: not listed(), 10, 0.2, "the district to be retired")
    bad = admin.post(
        "/staff/catalog/categories",
        json={"code": "x-" + code, "name": names, "department": "d", "ack_days": 20, "answer_days": 10},
    )
    assert bad.status_code == 400 and "ack_days" in bad.json()["error"]["fields"]


def test_the_queue_filters_searches_and_pages_within_the_members_districts(platform, admin, team):
    tag = uuid.uuid4().hex[:8]
    numbers = []
    for district, category in (("anfa", "roads"), ("anfa", "public-lighting"), ("sbata", "roads")):
        body = {
            "kind": "complaint",
            "category": category,
            "district": district,
            "subject": f"Queue {tag}",
            "description": "d",
            "citizen": {"email": f"{tag}@example.ma"},
            "consent": True,
        }
        numbers.append(
            platform.http.post(f"{platform.url}/api/v1/complaints", json=body, timeout=10).json()["number"]
        )
    for number in numbers:
        citizen(platform, number, f"{tag}@example.ma")

    def found(client, **params):
        answer = client.get("/staff/complaints", params={"q": tag, **params})
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert found(admin)["total"] == 3
    assert {i["number"] for i in found(team["agent"])["items"]} == set(numbers[:2])
    assert found(team["agent"], district="sbata")["total"] == 0
    assert [i["number"] for i in found(team["agent"], category="public-lighting")["items"]] == [numbers[1]]
    assert found(team["outsider"])["total"] == 1
    assert found(admin, overdue="true")["total"] == 0 and found(admin, overdue="false")["total"] == 3
    team["agent"].post(f"/staff/complaints/{numbers[0]}/transitions", json={"to": "acknowledged"})
    assert [i["number"] for i in found(admin, status="acknowledged")["items"]] == [numbers[0]]
    first, second = found(admin, page_size=2, page=1), found(admin, page_size=2, page=2)
    assert first["total"] == second["total"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
    assert {i["number"] for i in first["items"] + second["items"]} == set(numbers)
    assert all(i["citizen_name"] is None and "email" not in str(i) for i in first["items"])
    for bad in ({"page_size": 1000}, {"page": 0}, {"status": "lost"}, {"overdue": "maybe"}):
        answer = admin.get("/staff/complaints", params=bad)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "validation_error"
    assert Client(platform).get("/staff/complaints").status_code == 401


def test_agents_assign_to_themselves_supervisors_to_their_team(platform, team):
    email = f"assign.{uuid.uuid4().hex[:6]}@example.ma"
    number = file_complaint(platform, email, [])
    citizen(platform, number, email)
    agent, supervisor = team["agent"], team["supervisor"]
    assert (
        agent.post(f"/staff/complaints/{number}/assignment", json={"agent": supervisor.username}).status_code
        == 403
    )
    to_outsider = supervisor.post(
        f"/staff/complaints/{number}/assignment", json={"agent": team["outsider"].username}
    )
    assert to_outsider.status_code == 400 and "agent" in to_outsider.json()["error"]["fields"]
    done = supervisor.post(
        f"/staff/complaints/{number}/assignment", json={"agent": agent.username, "department": "roads-north"}
    )
    assert done.status_code == 200
    assert done.json()["assignment"]["agent"] == agent.username
    assert done.json()["department"] == "roads-north"
    assert agent.post(f"/staff/complaints/{number}/assignment", json={}).status_code == 400
