"""What a user was told is accepted is never lost, even when a dependency goes away."""

from __future__ import annotations

import time
import uuid

from tests.support import let_time_pass, wait_for


def test_no_event_is_lost_while_the_broker_is_down_for_ten_seconds(platform):
    run = uuid.uuid4().hex[:6]
    accepted: list[tuple[str, str]] = []
    assert "stopped" in platform.ctl("stop", "broker")
    try:
        wait_for(lambda: platform.http.get(f"{platform.url}/health", timeout=5).status_code == 503, 10)
        down_until = time.monotonic() + 10
        i = 0
        while time.monotonic() < down_until:
            email = f"outage.{run}.{i}@example.ma"
            answer = platform.submit(citizen={"email": email, "language": "en"})
            assert answer.status_code == 201, answer.text
            accepted.append((answer.json()["number"], email))
            i += 1
            let_time_pass(0.25, "the submissions spread over the whole outage")
        degraded = platform.http.get(f"{platform.url}/health", timeout=5).json()
        assert degraded["status"] == "degraded"
        assert degraded["services"]["intake"]["checks"]["broker"].startswith("down")
    finally:
        platform.ctl("start", "broker")
    assert len(accepted) >= 20
    wait_for(platform.healthy, 90, 0.5, "the platform to be healthy again")

    for number, email in accepted:
        wait_for(
            lambda n=number, e=email: platform.track(n, e).status_code == 200,
            60,
            0.2,
            f"{number} to be trackable",
        )
    for number, email in accepted:
        mails = wait_for(lambda n=number: platform.emails_for(n), 30, 0.2, f"the email for {number}")
        assert len(mails) == 1 and mails[0]["To"] == email


def test_requests_made_while_the_store_is_down_get_503_and_change_nothing(platform):
    figures = f"{platform.url}/api/v1/stats"
    before = platform.http.get(figures, timeout=5).json()["received"]
    mails_before = len(platform.emails())
    assert "stopped" in platform.ctl("stop", "store")
    try:
        for answer in (
            platform.submit(),
            platform.http.get(f"{platform.url}/api/v1/catalog", timeout=10),
            platform.track("RC-2026-AAAAAAA", "a@b.ma"),
        ):
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"]["code"] == "service_unavailable"
            assert "Traceback" not in answer.text
    finally:
        platform.ctl("start", "store")
    wait_for(platform.healthy, 60, 0.5, "the platform to be healthy again")
    let_time_pass(1, "a request wrongly recorded would show in the figures by now")
    assert platform.http.get(figures, timeout=5).json()["received"] == before
    assert len(platform.emails()) == mails_before


def test_an_acknowledgement_waits_for_the_mail_server_and_is_sent_once(platform):
    assert "stopped" in platform.ctl("stop", "smtp")
    try:
        number = platform.submit(citizen={"email": "patient@example.ma", "language": "fr"}).json()["number"]
        wait_for(lambda: platform.track(number, "patient@example.ma").status_code == 200, 5)
        let_time_pass(3, "an email sent without the mail server would have been filed by now")
        assert platform.emails_for(number) == []
    finally:
        platform.ctl("start", "smtp")
    mails = wait_for(lambda: platform.emails_for(number), 60, 0.2, "the delayed acknowledgement")
    let_time_pass(2, "an acknowledgement sent twice would have arrived by now")
    assert len(platform.emails_for(number)) == len(mails) == 1
