"""The staff's tools through their APIs, on the real store: who may take a complaint, assigning it,
the queue of what is assigned to me, and canned answers."""

from __future__ import annotations

import uuid

import pytest

from services.tracking import accounts, handlers, staff_store, store
from tests.integration.complaints import submission
from tests.integration.staff import sign_in


def member(db, *, role="agent", districts=("anfa",), name=None, department=None, active=True) -> str:
    username = f"m{uuid.uuid4().hex[:8]}"
    account = accounts._account(
        username=username,
        password="une-phrase-assez-longue",
        role=role,
        districts=list(districts),
        created_by="test",
        name=name,
        department=department,
    )
    staff_store.create_staff(db, {**account, "active": active}, [])
    return username


def complaint(db, **changes) -> str:
    data = submission(**changes)
    handlers.record_submitted(db, data)
    return data["number"]


@pytest.fixture
def tracking(apps):
    return apps["tracking"]


@pytest.fixture
def intake(apps):
    return apps["intake"]


def test_the_assignees_are_the_active_members_of_the_district_their_department_first(db, tracking):
    number = complaint(db, district="sidi-othmane", department="roads")
    supervisor = member(
        db, role="supervisor", districts=["sidi-othmane"], name="Zineb Roads", department="roads"
    )
    other = member(db, districts=["sidi-othmane", "anfa"], name="Adil Lighting", department="lighting")
    nameless = member(db, districts=["sidi-othmane"], department="roads")
    away = member(db, districts=["anfa"], name="Karim Anfa", department="roads")
    gone = member(db, districts=["sidi-othmane"], name="Retired", department="roads", active=False)
    admin = member(db, role="admin", districts=[], name="Admin Everywhere")

    listed = tracking.get(
        f"/api/v1/staff/complaints/{number}/assignees", headers=sign_in(tracking, supervisor)
    )
    assert listed.status_code == 200, listed.json
    assert listed.json["department"] == "roads"
    items = listed.json["items"]
    usernames = [i["username"] for i in items]
    assert away not in usernames and gone not in usernames  # another district; deactivated
    assert {supervisor, other, nameless, admin} <= set(usernames)
    roads = [i for i in items if i["department"] == "roads"]
    assert items[: len(roads)] == roads  # the complaint's department first
    assert {"username": other, "name": "Adil Lighting", "department": "lighting"} in items
    assert all(set(i) == {"username", "name", "department"} for i in items)  # no email, role or districts

    # An agent assigns only to themselves: their list has them alone.
    agent = member(db, districts=["sidi-othmane"], name="Agent Self", department="roads")
    own = tracking.get(f"/api/v1/staff/complaints/{number}/assignees", headers=sign_in(tracking, agent))
    assert [i["username"] for i in own.json["items"]] == [agent]
    # A member of another district does not see the complaint at all.
    hidden = tracking.get(f"/api/v1/staff/complaints/{number}/assignees", headers=sign_in(tracking, away))
    assert hidden.status_code == 404


@pytest.mark.parametrize("who", ["unknown", "other district", "deactivated"])
def test_an_assignment_to_a_member_who_cannot_treat_the_complaint_is_refused_and_changes_nothing(
    db, tracking, who
):
    number = complaint(db, district="sbata")
    supervisor = member(db, role="supervisor", districts=["sbata"])
    bearer = sign_in(tracking, supervisor)
    kept = member(db, districts=["sbata"], name="Kept Agent")
    assert (
        tracking.post(
            f"/api/v1/staff/complaints/{number}/assignment", json={"agent": kept}, headers=bearer
        ).status_code
        == 200
    )
    agent = {
        "unknown": "nobody-here",
        "other district": member(db, districts=["anfa"]),
        "deactivated": member(db, districts=["sbata"], active=False),
    }[who]

    refused = tracking.post(
        f"/api/v1/staff/complaints/{number}/assignment",
        json={"agent": agent, "department": "roads"},
        headers=bearer,
    )
    assert refused.status_code == 400
    assert refused.json["error"]["code"] == "validation_error"
    assert list(refused.json["error"]["fields"]) == ["agent"]
    view = tracking.get(f"/api/v1/staff/complaints/{number}", headers=bearer).json
    assert view["assignment"]["agent"] == kept and view["assignment"]["agent_name"] == "Kept Agent"
    assert db[store.COMPLAINTS].find_one({"_id": number})["agent"] == kept


def test_assigned_to_me_lists_the_members_own_complaints_with_names(db, tracking):
    me = member(db, districts=["hay-hassani", "maarif"], name="Salma Idrissi")
    colleague = member(db, districts=["hay-hassani"], name="Omar Colleague")
    mine = [complaint(db, district="hay-hassani", days_ago=2), complaint(db, district="maarif", days_ago=1)]
    theirs = complaint(db, district="hay-hassani")
    unassigned = complaint(db, district="maarif")
    supervisor = sign_in(tracking, member(db, role="supervisor", districts=["hay-hassani", "maarif"]))
    for number in mine:
        answer = tracking.post(
            f"/api/v1/staff/complaints/{number}/assignment", json={"agent": me}, headers=supervisor
        )
        assert answer.status_code == 200
        assert answer.json["assignment"]["agent_name"] == "Salma Idrissi"
    tracking.post(
        f"/api/v1/staff/complaints/{theirs}/assignment", json={"agent": colleague}, headers=supervisor
    )

    bearer = sign_in(tracking, me)
    page = tracking.get("/api/v1/staff/complaints?assigned=me", headers=bearer).json
    assert [i["number"] for i in page["items"]] == list(reversed(mine))  # newest first
    assert page["total"] == 2
    assert {i["assignment"]["agent_name"] for i in page["items"]} == {"Salma Idrissi"}
    everything = tracking.get("/api/v1/staff/complaints?district=maarif", headers=bearer).json
    assert unassigned in [i["number"] for i in everything["items"]]
    one = tracking.get("/api/v1/staff/complaints?assigned=me&district=maarif", headers=bearer).json
    assert [i["number"] for i in one["items"]] == [mine[1]]
    refused = tracking.get("/api/v1/staff/complaints?assigned=someone", headers=bearer)
    assert refused.status_code == 400 and "assigned" in refused.json["error"]["fields"]

    # Unassigning (department only, no one) takes it off the member's list.
    tracking.post(
        f"/api/v1/staff/complaints/{mine[0]}/assignment", json={"department": "roads"}, headers=supervisor
    )
    page = tracking.get("/api/v1/staff/complaints?assigned=me", headers=bearer).json
    assert [i["number"] for i in page["items"]] == [mine[1]]


def test_complaints_assigned_before_the_index_are_found_once_completed(db, tracking):
    me = member(db, districts=["ain-chock"])
    number = complaint(db, district="ain-chock")
    # As an earlier version wrote an assignment: the agent in `assignment` only.
    db[store.COMPLAINTS].update_one(
        {"_id": number}, {"$set": {"assignment": {"agent": me, "department": None, "at": None, "by": "x"}}}
    )
    bearer = sign_in(tracking, me)
    assert tracking.get("/api/v1/staff/complaints?assigned=me", headers=bearer).json["total"] == 0
    db[store.OPEN].delete_one({"_id": store.AGENTS_COMPLETE})
    store.complete_agents(db)
    assert [
        i["number"]
        for i in tracking.get("/api/v1/staff/complaints?assigned=me", headers=bearer).json["items"]
    ] == [number]
    assert [c["_id"] for c in store.open_complaints(db) if c["_id"].startswith("#")] == []


ANSWER = {
    "category": "roads",
    "status": "resolved",
    "title": "Trou rebouché",
    "text": {"fr": "Le trou a été rebouché.", "ar": "تم ردم الحفرة.", "en": "The hole was filled."},
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": {**ANSWER["text"], "fr": "x" * 4001}}, "text"),
        ({"text": {"fr": "Seulement en français"}}, "text"),
        ({"category": "no-such-category"}, "category"),
        ({"status": "received"}, "status"),
        ({"title": ""}, "title"),
        ({"title": {"$gt": ""}}, "title"),
        ({"extra": 1}, "extra"),
    ],
    ids=[
        "text too long",
        "a language missing",
        "unknown category",
        "not a target status",
        "no title",
        "object",
        "unknown field",
    ],
)
def test_a_canned_answer_out_of_bounds_is_refused_and_nothing_is_stored(db, intake, tracking, change, field):
    admin = sign_in(tracking, member(db, role="admin", districts=[]))
    before = db["catalog_answers"].count_documents({})
    refused = intake.post("/api/v1/staff/answers", json={**ANSWER, **change}, headers=admin)
    assert refused.status_code == 400, refused.json
    assert refused.json["error"]["code"] == "validation_error"
    assert field in refused.json["error"]["fields"]
    assert db["catalog_answers"].count_documents({}) == before


def test_administrators_keep_canned_answers_and_every_member_reads_them(db, intake, tracking):
    admin = sign_in(tracking, member(db, role="admin", districts=[]))
    agent = sign_in(tracking, member(db))
    assert intake.post("/api/v1/staff/answers", json=ANSWER, headers=agent).status_code == 403
    made = intake.post("/api/v1/staff/answers", json=ANSWER, headers=admin)
    assert made.status_code == 201, made.json
    answer_id = made.json["id"]
    other = intake.post(
        "/api/v1/staff/answers", json={**ANSWER, "category": "safety", "status": "rejected"}, headers=admin
    ).json["id"]

    listed = intake.get("/api/v1/staff/answers?category=roads&status=resolved", headers=agent)
    assert listed.status_code == 200
    ids = [a["id"] for a in listed.json["items"]]
    assert answer_id in ids and other not in ids
    assert listed.json["items"][ids.index(answer_id)]["text"]["ar"] == "تم ردم الحفرة."

    changed = intake.patch(
        f"/api/v1/staff/answers/{answer_id}",
        json={"text": {**ANSWER["text"], "fr": "Le trou est rebouché depuis ce matin."}},
        headers=admin,
    )
    assert changed.status_code == 200 and changed.json["text"]["fr"].endswith("ce matin.")
    too_long = intake.patch(f"/api/v1/staff/answers/{answer_id}", json={"title": "t" * 121}, headers=admin)
    assert too_long.status_code == 400 and "title" in too_long.json["error"]["fields"]
    unknown = intake.patch(f"/api/v1/staff/answers/{answer_id}", json={"category": "nope"}, headers=admin)
    assert unknown.status_code == 400 and "category" in unknown.json["error"]["fields"]
    assert (
        intake.get("/api/v1/staff/answers?category=roads", headers=agent).json["items"][ids.index(answer_id)][
            "title"
        ]
        == "Trou rebouché"
    )

    assert intake.delete(f"/api/v1/staff/answers/{answer_id}", headers=agent).status_code == 403
    assert intake.delete(f"/api/v1/staff/answers/{answer_id}", headers=admin).status_code == 204
    assert intake.delete(f"/api/v1/staff/answers/{answer_id}", headers=admin).status_code == 404
    assert (
        intake.patch(f"/api/v1/staff/answers/{answer_id}", json={"title": "x"}, headers=admin).status_code
        == 404
    )
    assert answer_id not in [
        a["id"] for a in intake.get("/api/v1/staff/answers", headers=agent).json["items"]
    ]
    assert intake.get("/api/v1/staff/answers").status_code == 401
