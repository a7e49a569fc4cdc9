"""A submission sent again with its request id (the gateway's retry, or a client's) is one complaint."""

from __future__ import annotations

import uuid

from tests.support import complaint_body, let_time_pass, wait_for


def test_the_same_submission_sent_twice_with_its_request_id_is_recorded_once(platform):
    request_id = uuid.uuid4().hex
    email = f"repeat-{request_id[:8]}@example.org"
    body = complaint_body(citizen={"name": "Amina", "email": email, "language": "fr"})
    headers = {"X-Request-ID": request_id}
    first = platform.http.post(f"{platform.url}/api/v1/complaints", json=body, headers=headers, timeout=10)
    again = platform.http.post(f"{platform.url}/api/v1/complaints", json=body, headers=headers, timeout=10)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    number = first.json()["number"]
    wait_for(lambda: platform.emails_for(number), 10, 0.1, "the acknowledgement")
    let_time_pass(1, "a second acknowledgement would have arrived by now")
    assert len(platform.emails_for(number)) == 1
    assert platform.track(number, email).status_code == 200

    # Another complaint under the same request id, or the same one under another, is another one.
    other = complaint_body(subject="Lampadaire éteint", citizen=body["citizen"])
    changed = platform.http.post(f"{platform.url}/api/v1/complaints", json=other, headers=headers, timeout=10)
    fresh = platform.http.post(f"{platform.url}/api/v1/complaints", json=body, timeout=10)
    assert len({number, changed.json()["number"], fresh.json()["number"]}) == 3
