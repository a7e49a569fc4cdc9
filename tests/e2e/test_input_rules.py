"""Through the running gateway: no bidi override reaches staff's email, no control character an
address, and every 405 names the methods its address takes (finding 9 of issue 26)."""

from __future__ import annotations

import uuid

import requests

from tests.e2e.users import staff
from tests.support import wait_for

OVERRIDE = "\u202e"


def test_a_subject_with_a_right_to_left_override_reaches_staff_without_it(platform):
    run = uuid.uuid4().hex[:6]
    admin = staff(platform, "admin", "e2e-admin-pass")
    member_events = platform.listen("staff.member_changed")
    username, address = f"bidi-{run}", f"bidi-{run}@city.ma"
    created = admin.post(
        "/staff/members",
        json={
            "username": username,
            "password": "Correct-Horse-Battery-9",
            "role": "agent",
            "districts": ["sbata"],
            "email": address,
        },
    )
    assert created.status_code == 201, created.text
    # The directory reaches notification through this event: on the broker before the complaint's.
    wait_for(lambda: any(e["subject"] == username for e in member_events()), 15, 0.2, "the member's event")
    member_events.close()
    # Displayed as "Facture exe.gpj" with the override; "gpj.exe" is what was typed after it.
    subject = f"Facture {run} {OVERRIDE}gpj.exe"
    answer = platform.submit(subject=subject, district="sbata", description=f"Voir{OVERRIDE} la pièce.")
    assert answer.status_code == 201, answer.text
    number = answer.json()["number"]

    def staffs_email():
        return next((m for m in platform.emails_for(number) if m["To"] == address), None)

    mail = wait_for(staffs_email, 30, 0.2, "the staff's email about the complaint")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert f"Facture {run} gpj.exe" in text and f"Facture {run} gpj.exe" in html
    assert "Voir la pièce." in text
    for message in platform.emails_for(number):
        assert OVERRIDE not in message.as_string() + str(message["Subject"])


def test_an_address_with_control_characters_is_refused_through_the_gateway(platform):
    hostile = '"a\u0007\u001b"@example.ma'
    answer = platform.submit(citizen={"email": hostile})
    assert answer.status_code == 400, answer.text
    assert list(answer.json()["error"]["fields"]["citizen"]) == ["email"]
    number = platform.submit().json()["number"]
    follow = platform.http.post(
        f"{platform.url}/api/v1/complaints/{number}/followers", json={"email": hostile}, timeout=10
    )
    assert follow.status_code == 400 and list(follow.json()["error"]["fields"]) == ["email"]


def allowed(answer) -> list[str]:
    assert answer.status_code == 405, answer.text
    return [method.strip() for method in answer.headers["Allow"].split(",")]


def test_every_405_through_the_gateway_names_the_allowed_methods(platform):
    url, http = platform.url, platform.http
    catalog = http.delete(f"{url}/api/v1/catalog", timeout=10)
    assert allowed(catalog) == ["GET", "HEAD", "OPTIONS"]
    assert catalog.json()["error"]["code"] == "method_not_allowed"
    open311 = http.put(f"{url}/open311/v2/requests.json", timeout=10)
    assert allowed(open311) == ["GET", "HEAD", "OPTIONS", "POST"]
    assert [error["code"] for error in open311.json()] == [405]
    number = platform.submit().json()["number"]
    # The gateway forwards GET and POST here; tracking only reads a complaint.
    assert allowed(http.delete(f"{url}/api/v1/complaints/{number}", timeout=10)) == ["GET", "HEAD", "OPTIONS"]
    assert allowed(http.post(f"{url}/api/v1/complaints/{number}", json={}, timeout=10)) == [
        "GET",
        "HEAD",
        "OPTIONS",
    ]
    page = requests.put(f"{url}/track", timeout=10)  # a page, not the API: not checked against openapi.yaml
    assert allowed(page) == ["GET", "HEAD", "OPTIONS", "POST"]
    assert page.headers["Content-Type"].startswith("text/html")
