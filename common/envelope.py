"""CloudEvents 1.0 structured-mode envelope for every event on the exchange."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from common.logs import current_request_id

REQUIRED = ("specversion", "id", "source", "type", "time")


class InvalidEvent(ValueError):
    """The message is not a CloudEvent this platform can read."""


def utcnow() -> datetime:
    """Return the current time in UTC, at millisecond precision (what the store keeps)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def isoformat(moment: datetime) -> str:
    """Return an RFC 3339 time with its zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_event(type_: str, *, source: str, subject: str, data: dict) -> dict:
    """Return an event ready to be stored in an outbox and published."""
    event = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": f"/services/{source}",
        "type": type_,
        "time": isoformat(utcnow()),
        "subject": subject,
        "datacontenttype": "application/json",
        "data": data,
    }
    request_id = current_request_id()
    if request_id:
        event["requestid"] = request_id
    return event


def encode(event: dict) -> bytes:
    """Return the event as the message body."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def decode(body: bytes) -> dict:
    """Return the event in a message body, or raise InvalidEvent."""
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidEvent(f"not JSON: {exc}") from exc
    if not isinstance(event, dict):
        raise InvalidEvent("not a JSON object")
    missing = [name for name in REQUIRED if not isinstance(event.get(name), str)]
    if missing:
        raise InvalidEvent(f"missing attributes: {', '.join(missing)}")
    if not isinstance(event.get("data", {}), dict):
        raise InvalidEvent("data is not an object")
    return event
