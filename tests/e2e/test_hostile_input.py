"""Hostile input through the gateway: every attempt is refused in the contract's shape, no 5xx."""

from __future__ import annotations

import uuid

from tests.e2e.test_lifecycle import PDF, file_complaint, png
from tests.e2e.users import citizen, staff


def agent(platform):
    admin = staff(platform, "admin", "e2e-admin-pass")
    username = f"hostile.{uuid.uuid4().hex[:6]}"
    made = admin.post(
        "/staff/members",
        json={"username": username, "password": "a-long-password", "role": "agent", "districts": ["anfa"]},
    )
    assert made.status_code == 201, made.text
    return staff(platform, username, "a-long-password"), username, admin


def refused(answer, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code


def test_no_one_sets_what_is_not_theirs(platform):
    me, username, admin = agent(platform)
    refused(me.patch(f"/staff/members/{username}", json={"role": "admin"}), 403, "forbidden")
    refused(me.patch(f"/staff/members/{username}", json={"districts": ["*"]}), 403, "forbidden")
    assert me.get("/staff/complaints?district=sbata").json()["items"] == []  # still an Anfa agent
    for extra in (
        {"number": "RC-2026-AAAAAAA"},
        {"status": "closed"},
        {"submitted_at": "2020-01-01T00:00:00Z"},
    ):
        refused(platform.submit(**extra), 400, "validation_error")
    refused(platform.submit(citizen={"email": "a@example.ma", "role": "admin"}), 400, "validation_error")
    refused(
        admin.post("/staff/members", json={"username": "x" * 3, "password": "p" * 12, "role": "superuser"}),
        400,
        "validation_error",
    )


def test_query_operators_and_huge_pages_are_refused(platform):
    me, _username, _admin = agent(platform)
    refused(me.get("/staff/complaints?status[$ne]=closed"), 400, "validation_error")
    refused(me.get("/staff/complaints?page_size=1000000"), 400, "validation_error")
    refused(me.get("/staff/complaints?page=1000000000000"), 400, "validation_error")
    assert me.get("/staff/complaints?q=.*%5C").status_code == 200  # a regex is searched for, not run
    refused(
        platform.http.get(f"{platform.url}/api/v1/stats?district[$gt]=a", timeout=10), 400, "validation_error"
    )
    big = platform.http.get(f"{platform.url}/open311/v2/requests.json?page_size=1000000000", timeout=10)
    assert big.status_code == 400 and big.json()[0]["code"] == 400


def test_malformed_uploads_and_hostile_file_names(platform):
    email = f"hostile.{uuid.uuid4().hex[:6]}@example.ma"
    number = file_complaint(platform, email, [])
    me = citizen(platform, number, email)
    broken = platform.http.post(
        f"{platform.url}/api/v1/complaints/{number}/documents",
        data=b'--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\nno end',
        headers={**me.headers, "Content-Type": "multipart/form-data; boundary=xyz"},
        timeout=10,
    )
    assert broken.status_code == 400 and "error" in broken.json()
    no_boundary = platform.http.post(
        f"{platform.url}/api/v1/complaints",
        data=b"garbage",
        headers={"Content-Type": "multipart/form-data"},
        timeout=10,
    )
    assert no_boundary.status_code == 400 and "error" in no_boundary.json()
    for name, content, extension in (
        ("../../etc/passwd.pdf", PDF, ".pdf"),
        ("..\\..\\windows\\win.ini.png", png(), ".png"),
        ("\x00evil\r\n.exe", PDF, ".pdf"),  # the extension is the real type's
    ):
        added = me.post(f"/complaints/{number}/documents", files={"file": (name, content)})
        assert added.status_code == 201, added.text
        kept = added.json()["filename"]
        assert kept.endswith(extension) and not kept.startswith(".")
        assert not set(kept) & {"/", "\\", "\x00", "\r", "\n"}
        download = me.get(f"/complaints/{number}/documents/{added.json()['id']}")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert download.headers["Content-Disposition"].startswith("attachment")
    traversal = me.get(f"/complaints/{number}/documents/..%2F..%2Fetc%2Fpasswd")
    assert traversal.status_code == 404


def test_an_oversized_body_is_refused_before_it_is_read(platform):
    body = b'{"subject": "' + b"x" * (21 * 1024 * 1024) + b'"}'
    answer = platform.http.post(
        f"{platform.url}/api/v1/complaints",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    refused(answer, 413, "payload_too_large")
