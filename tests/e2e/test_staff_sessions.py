"""Staff sessions end when they should, through the gateway: sign-out, deactivation, demotion."""

from __future__ import annotations

import base64
import re
import uuid

import requests

from tests.e2e.users import Client, staff

PASSWORD = "une-phrase-assez-longue"


def new_member(platform, role: str = "admin") -> tuple[str, Client]:
    """Return a new member made by the administrator, and the administrator."""
    admin = staff(platform, "admin", "e2e-admin-pass")
    username = f"session.{uuid.uuid4().hex[:6]}"
    body = {"username": username, "password": PASSWORD, "role": role, "districts": ["anfa"]}
    made = admin.post("/staff/members", json=body)
    assert made.status_code == 201, made.text
    return username, admin


def page_sign_in(platform, username: str) -> requests.Session:
    """Sign in on the back office's page as a browser does; return the browser's cookies' session."""
    browser = requests.Session()
    form = browser.get(f"{platform.url}/staff/login", timeout=10)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    signed = browser.post(
        f"{platform.url}/staff/login",
        data={"csrf_token": csrf, "username": username, "password": PASSWORD},
        timeout=10,
        allow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    return browser


def members_page(platform, cookies) -> requests.Response:
    return requests.get(f"{platform.url}/staff/members", cookies=cookies, timeout=10, allow_redirects=False)


def test_a_cookie_saved_before_signing_out_opens_nothing_and_shows_no_token(platform):
    username, _admin = new_member(platform)
    browser = page_sign_in(platform, username)
    saved = browser.cookies.copy()
    assert members_page(platform, saved).status_code == 200

    cookie = saved["complaints_session"]
    padded = cookie + "=" * (-len(cookie) % 4)
    for text in (cookie, base64.urlsafe_b64decode(padded.encode()).decode("latin-1")):
        assert username not in text and "token" not in text and "staff" not in text

    page = browser.get(f"{platform.url}/staff/members", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    out = browser.post(f"{platform.url}/staff/logout", data={"csrf_token": csrf}, timeout=10)
    assert out.status_code == 200 and "/staff/login" in out.url

    replayed = members_page(platform, saved)
    assert replayed.status_code in (302, 303) and "/staff/login" in replayed.headers["Location"]
    tampered = members_page(platform, {"complaints_session": cookie[:-4] + "AAAA"})
    assert tampered.status_code == 302 and "/staff/login" in tampered.headers["Location"]


def test_a_deactivated_demoted_administrator_with_a_new_password_creates_no_one(platform):
    username, admin = new_member(platform)
    before = staff(platform, username, PASSWORD)
    assert before.get("/staff/members").status_code == 200
    changed = admin.patch(
        f"/staff/members/{username}",
        json={"active": False, "role": "agent", "districts": ["anfa"], "password": "encore-une-autre-phrase"},
    )
    assert changed.status_code == 200, changed.text
    intruder = f"intruder.{uuid.uuid4().hex[:6]}"
    made = before.post("/staff/members", json={"username": intruder, "password": PASSWORD, "role": "admin"})
    assert made.status_code == 401 and made.json()["error"]["code"] == "unauthorized"
    for path in ("/staff/complaints", "/staff/catalog", "/staff/open311-keys", "/staff/exports/stats.csv"):
        assert before.get(path).status_code == 401, path
    assert intruder not in [m["username"] for m in admin.get("/staff/members").json()["items"]]


def test_signing_out_through_the_api_ends_the_members_other_sessions(platform):
    username, _admin = new_member(platform, role="agent")
    phone, desk = staff(platform, username, PASSWORD), staff(platform, username, PASSWORD)
    assert phone.post("/staff/logout").status_code == 204
    assert desk.get("/staff/complaints").status_code == 401
    assert staff(platform, username, PASSWORD).get("/staff/complaints").status_code == 200
