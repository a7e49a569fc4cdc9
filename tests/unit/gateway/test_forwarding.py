"""Which requests may go to another instance after the first lost its answer (the pages' calls)."""

import pytest

from gateway.routing import repeatable


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/stats"),
        ("GET", "/api/v1/staff/complaints"),
        ("POST", "/api/v1/complaints"),  # recorded once per request id (intake)
        ("POST", "/api/v1/tracking"),  # a lookup
        ("POST", "/open311/v2/requests.json"),
        ("POST", "/open311/v2/requests.xml"),
    ],
)
def test_reads_and_submissions_are_repeatable(method, path):
    assert repeatable(method, path)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/complaints/RC-2026-AAAAAAA/remarks"),
        ("POST", "/api/v1/staff/complaints/RC-2026-AAAAAAA/status"),
        ("PATCH", "/api/v1/staff/members/agent"),
        ("DELETE", "/api/v1/staff/open311-keys/k1"),
    ],
)
def test_changes_are_not_sent_twice(method, path):
    assert not repeatable(method, path)
