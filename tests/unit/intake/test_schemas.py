import pytest
from marshmallow import ValidationError

from services.intake.schemas import ComplaintSchema

VALID = {
    "kind": "complaint",
    "category": "roads",
    "district": "anfa",
    "subject": "Pothole",
    "description": "A deep pothole in front of number 12.",
    "citizen": {"email": "amina@example.ma"},
    "consent": True,
}


def load(**changes):
    return ComplaintSchema().load({**VALID, **changes})


def test_a_minimal_complaint_is_accepted_with_french_by_default():
    data = load()
    assert data["citizen"]["language"] == "fr"
    assert data["address"] is None and data["location"] is None


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"subject": {"$ne": None}}, "subject"),
        ({"district": {"$gt": ""}}, "district"),
        ({"description": "x" * 4001}, "description"),
        ({"subject": "   "}, "subject"),
        ({"kind": "praise"}, "kind"),
        ({"consent": False}, "consent"),
        ({"consent": "true"}, "consent"),
        ({"consent": 1}, "consent"),
        ({"publish": 1}, "publish"),
        ({"publish": "true"}, "publish"),
        ({"publish": None}, "publish"),
        ({"status": "resolved"}, "status"),
        ({"number": "RC-2026-0000000"}, "number"),
        ({"location": {"lat": True, "lon": 0}}, "location"),
        ({"location": {"lat": 91, "lon": 0}}, "location"),
        ({"citizen": {"email": "not-an-email"}}, "citizen"),
        ({"citizen": {"email": "a@b.ma", "language": "de"}}, "citizen"),
        ({"citizen": {"email": "a@b.ma", "role": "admin"}}, "citizen"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(changes, field):
    with pytest.raises(ValidationError) as error:
        load(**changes)
    assert field in error.value.messages


def test_missing_consent_is_refused():
    body = dict(VALID)
    del body["consent"]
    with pytest.raises(ValidationError) as error:
        ComplaintSchema().load(body)
    assert "consent" in error.value.messages


def test_publication_is_a_choice_of_its_own_off_by_default():
    assert load()["publish"] is False
    assert load(publish=True)["publish"] is True and load(publish=False)["publish"] is False


def test_text_is_trimmed():
    assert load(subject="  Pothole  ")["subject"] == "Pothole"
