"""common/vocabulary.py and docs/asyncapi.yaml name the same values: one list, held to the document."""

import pytest

from common.vocabulary import (
    Actor,
    Channel,
    Deadline,
    EventType,
    Frequency,
    Kind,
    Language,
    Outcome,
    Role,
    Status,
)
from tests.contract import EventContract

DOCUMENT = EventContract().document
SCHEMAS = DOCUMENT["components"]["schemas"]


def enum_at(*path: str) -> list[str]:
    node = SCHEMAS
    for step in path:
        node = node[step]
    return node["enum"]


def own_properties(schema: str) -> dict:
    """Return the properties a schema adds (those of its allOf's own part, or its own)."""
    node = SCHEMAS[schema]
    for part in node.get("allOf", [node]):
        if "properties" in part:
            return part["properties"]
    raise AssertionError(f"{schema} declares no properties")


@pytest.mark.parametrize(
    ("vocabulary", "documented"),
    [
        (Status, enum_at("Status")),
        (Language, enum_at("Language")),
        (Kind, enum_at("SubmittedData", "properties", "kind")),
        (Channel, enum_at("SubmittedData", "properties", "channel")),
        (Role, enum_at("MemberChangedData", "properties", "role")),
        (Outcome, own_properties("FeedbackGivenData")["outcome"]["enum"]),
        (Deadline, own_properties("OverdueData")["deadline"]["enum"]),
        (Actor, own_properties("StatusChangedData")["by"]["enum"]),
        (Frequency, enum_at("AlertData", "properties", "frequency")),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_each_word_list_is_the_documents_in_its_order(vocabulary, documented):
    assert [member.value for member in vocabulary] == documented


def test_the_event_types_are_the_documents_messages():
    documented = {message["name"] for message in DOCUMENT["components"]["messages"].values()}
    assert {member.value for member in EventType} == documented


def test_a_word_is_its_value_in_documents_and_events():
    assert Status.IN_PROGRESS == "in_progress"
    assert f"{Status.IN_PROGRESS}" == "in_progress"
    assert {"status": Status.CLOSED} == {"status": "closed"}
