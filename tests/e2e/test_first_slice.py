"""A citizen files a complaint, is told it was received, and follows it: through the gateway."""

from __future__ import annotations

import time
import uuid

import requests

from tests.support import let_time_pass, wait_for


def test_health_reports_all_four_services_ready(platform):
    answer = platform.http.get(f"{platform.url}/health", timeout=5)
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    for service in ("intake", "tracking", "notification", "feedback"):
        assert body["services"][service]["status"] == "ok"
        checks = body["services"][service]["checks"]
        assert checks["store"] == checks["broker"] == "ok"
        # A consumer's queue exists before the platform says it is ready: no event is dropped.
        assert checks["queue"] == "ok"


def test_the_default_catalogue_is_served(platform):
    catalog = platform.http.get(f"{platform.url}/api/v1/catalog", timeout=5).json()
    assert catalog["kinds"] == ["complaint", "claim", "suggestion"]
    assert len(catalog["districts"]) == 16 and len(catalog["categories"]) == 10
    names = {d["name"]["fr"] for d in catalog["districts"]}
    assert {"Aïn Chock", "Sidi Othmane", "Maârif", "Ben M'Sick"} <= names
    for entry in catalog["districts"] + catalog["categories"]:
        assert set(entry["name"]) == {"fr", "ar", "en"}
    for category in catalog["categories"]:
        assert 0 < category["ack_days"] <= 15 and 0 < category["answer_days"] <= 60
        assert category["department"]


def test_a_filed_complaint_is_trackable_at_once_and_acknowledged_by_email(platform):
    email = f"amina.{uuid.uuid4().hex[:6]}@example.ma"
    answer = platform.submit(
        citizen={"name": "Amina", "email": email, "language": "ar"}, address="12 rue Tahar Sebti"
    )
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    assert set(receipt) == {"number", "status", "submitted_at", "ack_due", "answer_due"}
    assert receipt["status"] == "received" and receipt["number"].startswith("RC-")
    filed = time.monotonic()

    tracked = wait_for(
        lambda: (r := platform.track(receipt["number"], email.upper())).status_code == 200 and r,
        5,
        0.02,
        "the complaint to be trackable",
    )
    assert time.monotonic() - filed < 1.0, "a filed complaint should be trackable within a second"
    body = tracked.json()
    view = body["complaint"]
    assert view["status"] == "received" and view["number"] == receipt["number"]
    assert [entry["status"] for entry in view["timeline"]] == ["received"]
    assert view["ack_due"] == receipt["ack_due"] and view["address"] == "12 rue Tahar Sebti"
    assert email not in tracked.text

    by_token = platform.http.get(
        f"{platform.url}/api/v1/complaints/{receipt['number']}",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=5,
    )
    assert by_token.status_code == 200 and by_token.json()["number"] == receipt["number"]

    mails = wait_for(lambda: platform.emails_for(receipt["number"]), 10, 0.1, "the acknowledgement email")
    assert len(mails) == 1
    mail = mails[0]
    assert mail["To"] == email and receipt["number"] in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "لقد توصلنا بشكايتكم" in text and receipt["number"] in text
    assert 'dir="rtl"' in html


def test_wrong_email_and_unknown_number_get_the_same_404(platform):
    number = platform.submit().json()["number"]
    wait_for(lambda: platform.track(number, "amina@example.ma").status_code == 200, 5)
    wrong_email = platform.track(number, "someone@else.ma")
    unknown = platform.track("RC-2026-AAAAAAA", "amina@example.ma")
    assert wrong_email.status_code == unknown.status_code == 404
    assert wrong_email.json() == unknown.json()
    assert wrong_email.json()["error"]["code"] == "not_found"


def test_a_token_opens_no_other_complaint(platform):
    first = platform.submit().json()["number"]
    second = platform.submit().json()["number"]
    token = wait_for(lambda: (r := platform.track(first, "amina@example.ma")).status_code == 200 and r, 5)
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    wait_for(lambda: platform.track(second, "amina@example.ma").status_code == 200, 5)
    other = platform.http.get(f"{platform.url}/api/v1/complaints/{second}", headers=headers, timeout=5)
    assert other.status_code == 404
    anonymous = platform.http.get(f"{platform.url}/api/v1/complaints/{first}", timeout=5)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"


def _received(platform) -> int:
    return platform.http.get(f"{platform.url}/api/v1/stats", timeout=5).json()["received"]


def test_bad_input_gets_a_clear_error_and_changes_nothing(platform):
    number = platform.submit().json()["number"]
    wait_for(lambda: platform.track(number, "amina@example.ma").status_code == 200, 5)
    wait_for(lambda: platform.emails_for(number), 10)
    before_mail = len(platform.emails())
    before = wait_for(lambda: (n := _received(platform)) and n, 5)

    cases = [
        (platform.submit(subject={"$ne": None}), 400, "subject"),
        (platform.submit(status="resolved"), 400, "status"),
        (platform.submit(district="atlantis"), 400, "district"),
        (platform.submit(consent=False), 400, "consent"),
        (platform.submit(description="x" * 4001), 400, "description"),
    ]
    for answer, status, field in cases:
        assert answer.status_code == status, answer.text
        assert answer.json()["error"]["code"] == "validation_error"
        assert field in answer.json()["error"]["fields"]
    not_json = platform.http.post(
        f"{platform.url}/api/v1/complaints",
        data="kind=complaint",
        headers={"Content-Type": "text/plain"},
        timeout=5,
    )
    assert not_json.status_code == 415 and not_json.json()["error"]["code"] == "unsupported_media_type"
    broken = platform.http.post(
        f"{platform.url}/api/v1/complaints",
        data="{not json",
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert broken.status_code == 400 and "error" in broken.json()
    operator = platform.http.post(
        f"{platform.url}/api/v1/tracking", json={"number": {"$gt": ""}, "email": {"$gt": ""}}, timeout=5
    )
    assert operator.status_code == 400

    let_time_pass(0.5, "a wrongly accepted complaint would show in the figures by now")
    assert _received(platform) == before
    assert len(platform.emails()) == before_mail


def test_the_request_id_travels_from_the_entry_point_into_events_and_logs(platform):
    request_id = f"e2e-{uuid.uuid4().hex}"
    answer = platform.http.post(
        f"{platform.url}/api/v1/complaints",
        headers={"X-Request-ID": request_id},
        timeout=5,
        json={
            "kind": "claim",
            "category": "public-lighting",
            "district": "sbata",
            "subject": "Lampadaire",
            "description": "Éteint depuis une semaine.",
            "citizen": {"email": "k@example.ma"},
            "consent": True,
        },
    )
    assert answer.status_code == 201 and answer.headers["X-Request-ID"] == request_id
    logs = platform.data_dir / "log"

    def logged_by(name: str) -> bool:
        return request_id in (logs / f"{name}.log").read_text()

    # nginx's access log, then the workers', which handled the events the request caused.
    for process in ("nginx-access", "tracking-worker", "notification-worker"):
        wait_for(lambda p=process: logged_by(p), 10, 0.1, f"the request id in {process}'s log")
    for process in ("intake-web", "nginx-access"):
        assert "k@example.ma" not in (logs / f"{process}.log").read_text()


def test_every_service_answers_health_and_metrics(platform):
    for service in ("intake", "tracking", "notification", "feedback"):
        base = platform.service_url(service)
        assert requests.get(f"{base}/health/live", timeout=5).json()["status"] == "ok"
        assert requests.get(f"{base}/health/ready", timeout=5).status_code == 200
        metrics = requests.get(f"{base}/metrics", timeout=5)
        assert metrics.headers["Content-Type"].startswith("text/plain")
    assert (
        "events_consumed_total" in requests.get(f"{platform.service_url('tracking')}/metrics", timeout=5).text
    )
    assert "http_requests_total" in platform.http.get(f"{platform.url}/metrics", timeout=5).text


def test_the_figures_count_complaints_without_personal_data(platform):
    before = _received(platform)
    number = platform.submit(district="hay-hassani", category="green-spaces").json()["number"]
    wait_for(lambda: _received(platform) == before + 1, 10, 0.1, "the figures to count it")
    figures = platform.http.get(f"{platform.url}/api/v1/stats?district=hay-hassani", timeout=5)
    assert figures.json()["received"] >= 1
    assert "amina" not in figures.text and number not in figures.text
    blank = platform.http.get(f"{platform.url}/api/v1/stats?district=&category=&from=&to=", timeout=5)
    assert blank.status_code == 200 and blank.json()["received"] >= before + 1
    bad = platform.http.get(f"{platform.url}/api/v1/stats?from=yesterday", timeout=5)
    assert bad.status_code == 400 and "from" in bad.json()["error"]["fields"]
