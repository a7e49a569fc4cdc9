"""docs/asyncapi.yaml: every event the code publishes is in it, with examples that validate."""

import copy
import re

import pytest

from common.vocabulary import EventType
from tests.contract import ROOT, EventContract

CONTRACT = EventContract()
# An event built with its type written out ("complaint.x") or named from the vocabulary (EventType.X).
PUBLISHED = re.compile(r'(?:new_event|_event)\(\s*(?:"([a-z]+\.[a-z_]+)"|EventType\.([A-Z_]+)\b)')


def published_types() -> set[str]:
    return {
        literal or EventType[name].value
        for path in (ROOT / "services").rglob("*.py")
        for literal, name in PUBLISHED.findall(path.read_text())
    }


def test_every_event_the_code_publishes_is_documented_and_nothing_else():
    assert len(published_types()) == 20
    assert published_types() == set(CONTRACT.keys)


def test_the_channel_and_operations_name_every_message():
    channel = CONTRACT.document["channels"]["events"]
    assert channel["address"] == "complaints.events"
    assert set(channel["messages"]) == set(CONTRACT.messages)
    sent = {
        ref["$ref"].rsplit("/", 1)[1]
        for operation in CONTRACT.document["operations"].values()
        if operation["action"] == "send"
        for ref in operation["messages"]
    }
    assert sent == set(CONTRACT.messages)


@pytest.mark.parametrize("key", sorted(CONTRACT.messages))
def test_every_message_has_an_example_that_validates(key):
    examples = CONTRACT.messages[key]["examples"]
    assert examples
    for example in examples:
        assert CONTRACT.errors(example["payload"]) == []


def example(key: str) -> dict:
    return copy.deepcopy(CONTRACT.messages[key]["examples"][0]["payload"])


@pytest.mark.parametrize(
    ("key", "spoil", "complaint"),
    [
        ("complaintStatusChanged", lambda e: e["data"].pop("previous"), "'previous' is a required property"),
        ("complaintStatusChanged", lambda e: e["data"].update(status="lost"), "'lost' is not one of"),
        ("complaintSubmitted", lambda e: e.update(extra=1), "Additional properties"),
        ("complaintFeedbackGiven", lambda e: e["data"].update(satisfaction=6), "maximum of 5"),
        ("staffMemberChanged", lambda e: e["data"].update(password_hash="x"), "should not be valid"),
        ("notificationSent", lambda e: e["data"].update(email="a@example.ma"), "should not be valid"),
        ("complaintOverdue", lambda e: e.update(time="yesterday"), "does not match"),
    ],
)
def test_a_wrong_event_is_refused(key, spoil, complaint):
    event = example(key)
    spoil(event)
    errors = CONTRACT.errors(event)
    assert errors and any(complaint in error for error in errors), errors


def test_an_unknown_type_is_refused():
    assert CONTRACT.errors({"type": "complaint.vanished"}) == ["'complaint.vanished' is not in asyncapi.yaml"]
