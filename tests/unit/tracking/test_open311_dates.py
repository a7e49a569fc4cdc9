"""Open311's dates out of range are a 400 in the specification's error shape, never a 500 or 503.

The store is never reached for a refused date (it is replaced by an empty one).
"""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from common import mongo
from services.tracking import queue_store
from services.tracking.app import create_app

BASE = "/open311/v2"
OUT_OF_RANGE = [
    "start_date=9999-12-31T00:00:00Z",  # start_date + 90 days is past the last date Python has
    "end_date=0001-01-01T00:00:00Z",  # end_date - 90 days is before the first
    "start_date=0001-01-01T00:00:00Z",
    "end_date=9999-12-31T23:59:59Z",
    "end_date=9999-12-31T23:59:59-05:00",  # past the last date once in UTC
    "start_date=0001-01-01T00:00:00%2B05:00",  # before the first once in UTC
    "start_date=1969-12-31T23:59:59Z",
    "end_date=3000-01-01T00:00:00Z",
]


@pytest.fixture
def open311(monkeypatch):
    monkeypatch.setattr(mongo, "database", lambda: None)
    monkeypatch.setattr(queue_store, "service_requests", lambda *_args, **_kwargs: [])
    monkeypatch.setattr(queue_store, "updated_between", lambda *_args, **_kwargs: [])
    return create_app({"TESTING": True}).test_client()


def _error(answer, fmt: str) -> tuple[int, str]:
    if fmt == "json":
        [error] = answer.json
        return error["code"], error["description"]
    root = ElementTree.fromstring(answer.data)
    assert root.tag == "errors"
    [error] = root.findall("error")
    return int(error.findtext("code")), error.findtext("description")


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("endpoint", ["requests", "servicerequestupdates"])
@pytest.mark.parametrize("query", OUT_OF_RANGE)
def test_a_date_out_of_range_is_a_400_in_the_specification_shape(open311, endpoint, fmt, query):
    answer = open311.get(f"{BASE}/{endpoint}.{fmt}?{query}")
    assert answer.status_code == 400, answer.get_data(as_text=True)
    code, description = _error(answer, fmt)
    assert code == 400
    assert query.partition("=")[0] in description and "1970-01-01T00:00:00Z" in description


@pytest.mark.parametrize("endpoint", ["requests", "servicerequestupdates"])
@pytest.mark.parametrize(
    "query",
    [
        "start_date=1970-01-01T00:00:00Z",
        "end_date=2999-12-31T23:59:59Z",
        "start_date=2999-10-01T00:00:00Z",  # + 90 days is still a date
        "start_date=2026-03-01T00:00:00%2B01:00&end_date=2026-05-01T00:00:00",
    ],
)
def test_dates_at_the_bounds_are_answered(open311, endpoint, query):
    answer = open311.get(f"{BASE}/{endpoint}.json?{query}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json == []


@pytest.mark.parametrize(
    "query", ["page=%C2%B2", "page_size=%C2%B2", "page=" + "9" * 5000, "page=" + "0" * 5000]
)
def test_a_page_that_is_no_whole_number_is_a_400(open311, query):
    answer = open311.get(f"{BASE}/requests.json?{query}")
    assert answer.status_code == 400 and answer.json[0]["code"] == 400
