"""The alerts for a place on the running platform: through the gateway, tracking's and notification's
workers, the broker and the SMTP sink, from the request to the report's email and the link to stop."""

from __future__ import annotations

import random
import re
import uuid

import requests

from tests.e2e.users import citizen
from tests.support import wait_for


def to(platform, address: str) -> list:
    return [m for m in platform.emails() if m["To"] == address]


def text(message) -> str:
    return message.get_body(("plain",)).get_content()


def filed(platform, point: dict, *, publish: bool, metres_north: float) -> str:
    location = {"lat": point["lat"] + metres_north / 111_195, "lon": point["lon"]}
    body = {"location": location, "publish": publish, "citizen": {"email": "alerts.citizen@example.ma"}}
    answer = platform.submit(**body)
    assert answer.status_code == 201, answer.text
    number = answer.json()["number"]
    citizen(platform, number, "alerts.citizen@example.ma")  # recorded by tracking: its alerts were told
    return number


def test_a_confirmed_alert_receives_the_published_reports_within_its_radius_until_stopped(platform):
    subscriber = f"alerts-{uuid.uuid4().hex[:6]}@example.ma"
    # A point of Anfa's of this test's own: other tests' reports are elsewhere.
    point = {
        "lat": round(33.585 + random.uniform(0, 0.01), 5),
        "lon": round(-7.64 + random.uniform(0, 0.01), 5),
    }
    events = platform.listen("alert.matched")
    body = {"email": subscriber, "language": "ar", "frequency": "each", **point, "radius_m": 300}
    asked = platform.http.post(f"{platform.url}/api/v1/alerts", json=body, timeout=10)
    assert asked.status_code == 202 and asked.json() == {"confirmation": "sent"}
    [request] = wait_for(lambda: to(platform, subscriber), 30, 0.5, "the request to confirm")
    token = re.search(r"/alerts/confirm\?token=([^&\s]+)", text(request)).group(1)

    # The link opens a page whose button confirms: opening it confirms nothing.
    page = requests.get(
        f"{platform.url}/alerts/confirm?token={token}&lang=ar", timeout=10
    )  # a page, not the API
    assert page.status_code == 200 and 'dir="rtl"' in page.text and f'value="{token}"' in page.text
    early = filed(platform, point, publish=True, metres_north=50)
    confirmed = platform.http.post(f"{platform.url}/api/v1/alerts/confirm", json={"token": token}, timeout=10)
    assert confirmed.status_code == 200 and confirmed.json()["subscribed"] is True

    unpublished = filed(platform, point, publish=False, metres_north=50)
    outside = filed(platform, point, publish=True, metres_north=900)
    within = filed(platform, point, publish=True, metres_north=120)
    [report] = wait_for(
        lambda: [m for m in to(platform, subscriber) if m["X-Complaint-Number"] == within],
        30,
        0.5,
        "the report",
    )
    told = {m["X-Complaint-Number"] for m in to(platform, subscriber)}
    assert not told & {early, unpublished, outside}  # before confirming, unconsented, too far
    assert f"/reports/{within}" in text(report) and "alerts.citizen" not in text(report)

    unsubscribe = re.search(r"/alerts/unsubscribe\?token=([^&\s]+)", text(report)).group(1)
    assert report["List-Unsubscribe"].endswith(f"/alerts/unsubscribe?token={unsubscribe}&lang=ar>")
    stopped = platform.http.post(
        f"{platform.url}/api/v1/alerts/unsubscribe", json={"token": unsubscribe}, timeout=10
    )
    assert stopped.status_code == 200 and stopped.json() == {"subscribed": False}
    after = filed(platform, point, publish=True, metres_north=60)
    mine = [e for e in events() if e["data"]["alert"]["email"] == subscriber]
    assert [e["data"]["number"] for e in mine] == [within]  # and none for `after`
    assert after not in {m["X-Complaint-Number"] for m in to(platform, subscriber)}
    events.close()
