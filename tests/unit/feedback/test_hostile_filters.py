"""The figures' filters are catalogue codes: anything else is a 400, and never reaches a header."""

from __future__ import annotations

import pytest

from common import mongo, tokens
from services.feedback.app import create_app
from tests.unit.refusals import refused


@pytest.fixture
def feedback(monkeypatch):
    # A staff member is signed in; the store is never reached: the filters are refused first.
    monkeypatch.setattr(
        tokens, "staff_claims", lambda _header: {"sub": "agent", "role": "agent", "districts": ["*"]}
    )
    monkeypatch.setattr(mongo, "database", lambda: None)
    return create_app({"TESTING": True}).test_client()


@pytest.mark.parametrize(
    "query",
    [
        "district=a%0D%0AX-Injected:%201",
        "district=a%0AX-Injected:%201",
        "category=roads%0D%0ASet-Cookie:%20a=b",
        'district=a"%3B%20filename=evil.exe',
        "district=anfa%22",
        "district=%ED%A0%80",
        "category=%00",
    ],
)
def test_a_filter_that_is_not_a_code_is_a_400_and_no_header_is_injected(feedback, query):
    for path in ("/api/v1/staff/exports/stats.csv", "/api/v1/stats"):
        answer = feedback.get(f"{path}?{query}", headers={"Authorization": "Bearer x"})
        error = refused(answer)
        assert set(error["fields"]) <= {"district", "category"}
        assert "X-Injected" not in answer.headers and "Set-Cookie" not in answer.headers
        assert "Content-Disposition" not in answer.headers
