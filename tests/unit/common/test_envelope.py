import pytest

from common import envelope
from common.logs import request_id_var


def test_new_events_are_cloudevents_with_the_request_id():
    token = request_id_var.set("req-123")
    try:
        event = envelope.new_event("complaint.submitted", source="intake", subject="RC-1", data={"a": 1})
    finally:
        request_id_var.reset(token)
    assert event["specversion"] == "1.0"
    assert event["type"] == "complaint.submitted" and event["subject"] == "RC-1"
    assert event["source"] == "/services/intake" and event["requestid"] == "req-123"
    assert envelope.decode(envelope.encode(event)) == event


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"id": "x"}',
        b'{"specversion": "1.0", "id": "1", "source": "s", "type": "t", "time": "now", "data": []}',
    ],
)
def test_unreadable_messages_are_refused(body):
    with pytest.raises(envelope.InvalidEvent):
        envelope.decode(body)


def test_times_are_rfc3339_in_utc():
    from datetime import datetime, timedelta, timezone

    moment = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone(timedelta(hours=1)))
    assert envelope.isoformat(moment) == "2026-01-02T02:04:05.678Z"
