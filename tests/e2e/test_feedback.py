"""Ratings and the quality figures, tried through the gateway as a citizen, staff and the public do."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import uuid

import pytest

from tests.e2e.conftest import ROOT
from tests.e2e.users import Client, citizen, staff
from tests.support import let_time_pass, wait_for

# A district and category no other end-to-end test files in, so that the figures are this test's.
DISTRICT, CATEGORY = "sidi-othmane", "civil-status"
NAME, PHONE = "Youssef Alaoui", "+212661234567"


@pytest.fixture(scope="module")
def admin(platform):
    return staff(platform, "admin", "e2e-admin-pass")


@pytest.fixture(scope="module")
def agent(platform, admin):
    username = f"agent.feedback.{uuid.uuid4().hex[:6]}"
    answer = admin.post(
        "/staff/members",
        json={"username": username, "password": "a-long-password", "role": "agent", "districts": [DISTRICT]},
    )
    assert answer.status_code == 201, answer.text
    return staff(platform, username, "a-long-password")


def figures(platform, **params) -> dict:
    answer = Client(platform).get("/stats", params={"district": DISTRICT, "category": CATEGORY, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def figures_become(platform, check, what: str) -> dict:
    def current():
        found = figures(platform)
        return found if check(found) else None

    return wait_for(current, 15, 0.2, what)


def read_csv(answer) -> list[dict]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_the_figures_follow_a_complaint_answered_and_rated(platform, admin):
    before = figures(platform)
    email = f"rate.{uuid.uuid4().hex[:6]}@example.ma"
    filed = platform.submit(
        district=DISTRICT,
        category=CATEGORY,
        citizen={"name": NAME, "email": email, "phone": PHONE, "language": "fr"},
    )
    assert filed.status_code == 201, filed.text
    number = filed.json()["number"]
    figures_become(platform, lambda f: f["received"] == before["received"] + 1, "the complaint counted")

    me = citizen(platform, number, email)
    early = me.post(f"/complaints/{number}/feedback", json={"satisfaction": 5, "outcome": "resolved"})
    assert early.status_code == 409 and early.json()["error"]["code"] == "conflict"
    assert me.get(f"/complaints/{number}").json()["can_rate"] is False

    for status in ("in_progress", "resolved"):
        moved = admin.post(
            f"/staff/complaints/{number}/transitions", json={"to": status, "public_note": "Délivré."}
        )
        assert moved.status_code == 200, moved.text
    answered = figures_become(
        platform, lambda f: f["answered"] == before["answered"] + 1, "the answer counted"
    )
    assert answered["acknowledged"] == before["acknowledged"] + 1
    assert answered["answered_within_deadline"] == before["answered_within_deadline"] + 1
    assert answered["time_to_answer"]["count"] == before["time_to_answer"]["count"] + 1

    assert me.get(f"/complaints/{number}").json()["can_rate"] is True
    rating = {"satisfaction": 4, "outcome": "partially_resolved", "comment": f"Merci {NAME}, {PHONE}"}
    rated = me.post(f"/complaints/{number}/feedback", json=rating)
    assert rated.status_code == 201, rated.text
    assert rated.json() == {**rated.json(), **rating, "answer": 1}
    view = me.get(f"/complaints/{number}").json()
    assert view["can_rate"] is False
    assert [(f["answer"], f["satisfaction"], f["outcome"]) for f in view["feedback"]] == [
        (1, 4, "partially_resolved")
    ]
    again = me.post(f"/complaints/{number}/feedback", json={"satisfaction": 1, "outcome": "not_resolved"})
    assert again.status_code == 409

    after = figures_become(
        platform,
        lambda f: f["satisfaction"]["ratings"] == before["satisfaction"]["ratings"] + 1,
        "the rating counted",
    )
    distribution = after["satisfaction"]["distribution"]
    assert distribution["4"] == before["satisfaction"]["distribution"]["4"] + 1
    assert after["outcomes"]["partially_resolved"] == before["outcomes"]["partially_resolved"] + 1
    month = after["by_month"][-1]
    assert month["received"] >= 1 and month["satisfaction"]["ratings"] >= 1

    # The public figures name no one, by name, address, phone or comment.
    public = Client(platform).get("/stats").text + repr(after)
    for personal in (NAME, email, PHONE, "Merci"):
        assert personal not in public


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"satisfaction": 6, "outcome": "resolved"}, "satisfaction"),
        ({"satisfaction": "4", "outcome": "resolved"}, "satisfaction"),
        ({"satisfaction": True, "outcome": "resolved"}, "satisfaction"),
        ({"satisfaction": 4.5, "outcome": "resolved"}, "satisfaction"),
        ({"satisfaction": 4, "outcome": "great"}, "outcome"),
        ({"satisfaction": 4}, "outcome"),
        ({"satisfaction": 4, "outcome": "resolved", "status": "closed"}, "status"),
        ({"satisfaction": 4, "outcome": "resolved", "comment": "x" * 2001}, "comment"),
    ],
)
def test_a_bad_rating_is_refused_and_changes_nothing(platform, admin, body, field):
    email = f"bad.rate.{uuid.uuid4().hex[:6]}@example.ma"
    number = platform.submit(district=DISTRICT, category=CATEGORY, citizen={"email": email}).json()["number"]
    me = citizen(platform, number, email)
    for status in ("in_progress", "resolved"):
        assert admin.post(f"/staff/complaints/{number}/transitions", json={"to": status}).status_code == 200
    answer = me.post(f"/complaints/{number}/feedback", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "validation_error"
    assert field in answer.json()["error"]["fields"]
    view = me.get(f"/complaints/{number}").json()
    assert view["feedback"] == [] and view["can_rate"] is True and view["status"] == "resolved"


def test_only_the_holder_of_the_complaint_token_rates_it(platform):
    number = platform.submit(district=DISTRICT, category=CATEGORY).json()["number"]
    anonymous = Client(platform).post(
        f"/complaints/{number}/feedback", json={"satisfaction": 1, "outcome": "resolved"}
    )
    assert anonymous.status_code == 401


def test_staff_export_the_complaints_with_contact_for_admins_only(platform, admin, agent):
    email = f"export.{uuid.uuid4().hex[:6]}@example.ma"
    filed = platform.submit(
        district=DISTRICT,
        category=CATEGORY,
        subject='=HYPERLINK("http://evil")',
        citizen={"name": NAME, "email": email, "phone": PHONE},
    )
    number = filed.json()["number"]
    wait_for(lambda: citizen(platform, number, email), 10)

    rows = read_csv(admin.get("/staff/exports/complaints.csv", params={"district": DISTRICT}))
    mine = next(r for r in rows if r["number"] == number)
    assert mine["citizen_email"] == email and mine["citizen_name"] == NAME and mine["citizen_phone"] == PHONE
    assert mine["status"] == "received" and mine["district"] == DISTRICT
    assert mine["subject"] == '\'=HYPERLINK("http://evil")'  # never a formula in a spreadsheet

    rows = read_csv(agent.get("/staff/exports/complaints.csv", params={"q": number}))
    assert [r["number"] for r in rows] == [number]
    assert "citizen_email" not in rows[0]
    text = agent.get("/staff/exports/complaints.csv").text
    assert email not in text and NAME not in text and PHONE not in text
    outside = read_csv(agent.get("/staff/exports/complaints.csv", params={"district": "anfa"}))
    assert outside == []

    assert Client(platform).get("/staff/exports/complaints.csv").status_code == 401
    bad = admin.get("/staff/exports/complaints.csv", params={"status": "lost"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "validation_error"


def settled_figures(platform, admin) -> dict:
    """Wait until the figures count every complaint filed in this test's district and stop changing."""
    queue = admin.get("/staff/complaints", params={"district": DISTRICT, "category": CATEGORY})
    filed = queue.json()["total"]

    def settled():
        first = figures(platform)
        let_time_pass(1, "figures the same a second apart have settled")
        return first if first["received"] == filed and figures(platform) == first else None

    return wait_for(settled, 30, 0.2, "the figures to count every complaint")


def test_staff_export_the_figures_by_month_with_a_total(platform, admin, agent):
    public = settled_figures(platform, admin)
    rows = read_csv(
        agent.get("/staff/exports/stats.csv", params={"district": DISTRICT, "category": CATEGORY})
    )
    assert rows[-1]["month"] == "total"
    assert int(rows[-1]["received"]) == public["received"]
    assert [r["month"] for r in rows[:-1]] == [m["month"] for m in public["by_month"]]
    assert Client(platform).get("/staff/exports/stats.csv").status_code == 401


def test_the_rebuild_command_recomputes_the_same_figures(platform, admin):
    # The figures follow the events: wait until they count every complaint and stop changing.
    before = settled_figures(platform, admin)
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("MONGO_URL", "AMQP_URL", "MONGO_DB")},
        "DATA_DIR": str(platform.data_dir),
        "GATEWAY_PORT": str(platform.base_port),
    }
    done = subprocess.run(
        ["make", "--no-print-directory", "rebuild-stats"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rebuilt the quality figures from" in done.stdout
    assert figures(platform) == before
