"""Hostile input through the gateway: every attempt is refused in the contract's shape, no 5xx."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid

import requests

from bench import processes
from tests.e2e.filing import PDF, file_complaint, png
from tests.e2e.users import citizen, staff
from tests.support import complaint_body, wait_for


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


def post_json(platform, path: str, text: str, **headers) -> requests.Response:
    """POST a JSON text as written (json.dumps writes a lone surrogate as its \\uXXXX escape)."""
    return platform.http.post(
        f"{platform.url}{path}",
        data=text.encode(),
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


def test_lone_surrogates_and_deep_json_are_a_400_that_records_nothing(platform):
    admin = staff(platform, "admin", "e2e-admin-pass")
    refused_marker, control_marker = uuid.uuid4().hex[:10], uuid.uuid4().hex[:10]
    for changes in (
        {"subject": f"Nid {refused_marker} \ud800"},
        {"subject": refused_marker, "description": "\udc00 toujours"},
        {"subject": refused_marker, "citizen": {"name": "\ud800", "email": "a@example.ma"}},
    ):
        answer = post_json(platform, "/api/v1/complaints", json.dumps(complaint_body(**changes)))
        refused(answer, 400, "validation_error")
        assert set(answer.json()["error"]["fields"]) & {"subject", "description", "citizen"}
    part = json.dumps(complaint_body(subject=refused_marker, description="\ud800"))
    multipart = platform.http.post(
        f"{platform.url}/api/v1/complaints", files={"complaint": (None, part)}, timeout=30
    )
    refused(multipart, 400, "validation_error")
    for body in (
        {"number": "RC-2026-\ud800", "email": "a@example.ma"},
        {"number": "RC-2026-AAAAAAA", "email": "\ud800"},
    ):
        refused(post_json(platform, "/api/v1/tracking", json.dumps(body)), 400, "validation_error")
    refused(
        post_json(platform, "/api/v1/staff/login", json.dumps({"username": "admin", "password": "\ud800"})),
        400,
        "validation_error",
    )
    deep = "[" * 100_000 + "]" * 100_000
    for path in ("/api/v1/complaints", "/api/v1/tracking", "/api/v1/staff/login"):
        refused(post_json(platform, path, deep), 400, "validation_error")
    # A complaint filed after the refused ones reaches the queue; none of the refused ones did.
    control = platform.submit(subject=control_marker)
    assert control.status_code == 201
    number = control.json()["number"]
    wait_for(lambda: admin.get(f"/staff/complaints?q={control_marker}").json()["total"] == 1, 30)
    assert admin.get(f"/staff/complaints?q={refused_marker}").json()["total"] == 0
    # Staff's words too, and nothing is added to the complaint.
    for path, body in (
        ("notes", json.dumps({"text": "\ud800"})),
        ("transitions", json.dumps({"to": "acknowledged", "public_note": "Reçue \udfff"})),
        ("notes", deep),
    ):
        answer = post_json(platform, f"/api/v1/staff/complaints/{number}/{path}", body, **admin.headers)
        refused(answer, 400, "validation_error")
    kept = admin.get(f"/staff/complaints/{number}").json()
    assert kept["status"] == "received" and kept["notes"] == []


def test_control_characters_are_dropped_from_what_is_kept_and_emailed(platform):
    email = f"control.{uuid.uuid4().hex[:6]}@example.ma"
    answer = platform.submit(
        subject="Nid\x00 de\x1b poule",
        description="Ligne 1\r\nLigne\x00 2\x7f\tfin\rsuite",
        citizen={"name": "Ami\x00na", "email": email, "language": "fr"},
    )
    assert answer.status_code == 201, answer.text
    number = answer.json()["number"]
    view = citizen(platform, number, email).get(f"/complaints/{number}").json()
    assert view["subject"] == "Nid de poule"
    assert view["description"] == "Ligne 1\nLigne 2\tfin\nsuite"
    mails = wait_for(lambda: platform.emails_for(number), 60, 0.2, f"the acknowledgement of {number}")
    texts = [
        part.get_content() for mail in mails for part in mail.walk() if part.get_content_maintype() == "text"
    ]
    assert any("Nid de poule" in text for text in texts)  # the subject is in the acknowledgement
    assert not any(set(text) & {"\x00", "\x1b", "\x7f"} for text in texts)
    for path in platform.mail_dir.glob("*.eml"):
        assert b"\x00" not in path.read_bytes()


def test_a_filter_with_cr_lf_or_quotes_is_a_400_and_never_reaches_a_header(platform):
    admin = staff(platform, "admin", "e2e-admin-pass")
    for query in (
        "district=a%0D%0AX-Injected:%201",
        "district=a%0AX-Injected:%201",
        "category=roads%0D%0AX-Injected:%201",
        "district=a%22%3B%20filename%3Devil.exe",
    ):
        answer = admin.get(f"/staff/exports/stats.csv?{query}")
        refused(answer, 400, "validation_error")
        assert "X-Injected" not in answer.headers and "Content-Disposition" not in answer.headers
    export = admin.get("/staff/exports/stats.csv?district=anfa")
    assert export.status_code == 200
    assert export.headers["Content-Disposition"] == 'attachment; filename="figures-anfa.csv"'


def raw_request(platform, head: bytes) -> tuple[int, bytes]:
    """Send a request as bytes (a client that does not encode its URL) and return the status and answer."""
    with socket.create_connection(("127.0.0.1", platform.base_port), timeout=10) as connection:
        connection.sendall(head + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


def test_paths_and_queries_that_are_not_utf8_get_a_4xx_never_a_500(platform):
    email = f"utf8.{uuid.uuid4().hex[:6]}@example.ma"
    number = file_complaint(platform, email, [])
    me = citizen(platform, number, email)
    admin = staff(platform, "admin", "e2e-admin-pass")
    for path in ("/complaints/RC-2026-%ED%A0%80", f"/complaints/{number}/documents/%ED%A0%80%FF"):
        answer = me.get(path)
        assert answer.status_code in (401, 404) and "error" in answer.json(), answer.text
    for query in ("q=%ED%A0%80", "q=%FF", "district=%ED%A0%80"):
        assert admin.get(f"/staff/complaints?{query}").status_code == 200
    unknown = platform.http.get(f"{platform.url}/open311/v2/requests/RC-%ED%A0%80%FF.json", timeout=10)
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404
    for page in ("/track?number=%ED%A0%80", "/figures?district=%FF", f"/complaints/{number}%ED%A0%80"):
        answer = requests.get(f"{platform.url}{page}", timeout=10, allow_redirects=False)
        assert answer.status_code < 500, page
    for target in (b"/api/v1/stats?district=\xed\xa0\x80", b"/figures?district=\xff", b"/track?lang=\xff"):
        status, answer = raw_request(platform, b"GET " + target)
        assert 400 <= status < 500 and b"Traceback" not in answer, answer[:300]


def gateway_rss_mb(platform) -> float:
    """Return the resident memory of the gateway's processes (its master and workers), in MB."""
    figures = processes.snapshot({"gateway": processes.programs(platform.ctl("status"))["gateway"]})
    return sum(figures.values())


def growth_while(platform, send) -> tuple[object, float, float]:
    """Return send()'s answer, how long it took, and how many MB the gateway grew meanwhile at most."""
    before = gateway_rss_mb(platform)
    peak, done = [before], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak.append(gateway_rss_mb(platform))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    try:
        answer = send()
    finally:
        elapsed = time.monotonic() - started
        done.set()
        sampler.join()
    return answer, elapsed, max(peak) - before


def test_a_105_mb_body_is_refused_quickly_and_never_held_by_the_gateway(platform):
    body = '{"number": "' + "x" * (105 * 1024 * 1024) + '"}'
    answer, elapsed, grown = growth_while(platform, lambda: post_json(platform, "/api/v1/tracking", body))
    refused(answer, 413, "payload_too_large")
    assert elapsed < 10, f"answered in {elapsed:.1f} s"
    assert grown < 5, f"the gateway grew by {grown:.1f} MB"
    # Sent in chunks, without a length: read up to the limit only, then refused.
    answer, elapsed, grown = growth_while(
        platform,
        lambda: platform.http.post(
            f"{platform.url}/api/v1/tracking",
            data=(b"x" * (64 * 1024) for _ in range(105 * 16)),
            headers={"Content-Type": "application/json"},
            timeout=30,
        ),
    )
    refused(answer, 413, "payload_too_large")
    assert elapsed < 10 and grown < 5, f"{elapsed:.1f} s, {grown:.1f} MB"
    assert platform.healthy()
