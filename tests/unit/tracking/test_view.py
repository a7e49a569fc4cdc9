from datetime import UTC, datetime

import pytest

from common import tokens
from common.errors import NotFound, Unauthorized
from services.tracking import domain, views

AT = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
COMPLAINT = {
    "_id": "RC-2026-7K3P9QX",
    "kind": "complaint",
    "category": "roads",
    "district": "anfa",
    "subject": "Pothole",
    "description": "Deep",
    "address": None,
    "location": None,
    "citizen": {"name": "Amina", "email": "amina@example.ma", "phone": "+212600000000"},
    "email_key": "amina@example.ma",
    "status": "received",
    "submitted_at": AT,
    "updated_at": AT,
    "ack_due": AT,
    "answer_due": AT,
    "timeline": [
        {
            "at": AT,
            "status": "received",
            "note": None,
            "by": "citizen",
            "internal_note": "call the contractor",
        }
    ],
}


def test_the_public_view_has_no_contact_data_and_no_internal_note():
    view = views.public_view(COMPLAINT)
    text = str(view)
    for secret in ("amina@example.ma", "Amina", "+212600000000", "call the contractor"):
        assert secret not in text
    assert view["timeline"] == [
        {"at": "2026-11-28T10:00:00.000Z", "status": "received", "note": None, "by": "citizen"}
    ]
    assert view["can_reopen"] is False and view["can_rate"] is False


def test_the_staff_view_adds_contact_internal_notes_and_actors():
    view = views.staff_view({**COMPLAINT, "notes": [{"at": AT, "actor": "agent.anfa", "text": "called"}]})
    assert view["citizen"]["email"] == "amina@example.ma"
    assert view["timeline"][0]["internal_note"] == "call the contractor"
    assert view["notes"] == [{"at": "2026-11-28T10:00:00.000Z", "actor": "agent.anfa", "text": "called"}]
    assert view["overdue"] is True


def test_emails_and_numbers_are_compared_as_citizens_type_them():
    assert domain.normalize_email("  Amina@Example.MA ") == "amina@example.ma"
    assert domain.normalize_number(" rc-2026-7k3p9qx ") == "RC-2026-7K3P9QX"


def test_a_token_opens_only_its_own_complaint():
    token = tokens.issue(domain.TOKEN_PURPOSE, {"number": "RC-2026-7K3P9QX"})
    assert domain.authorize(f"Bearer {token}", "RC-2026-7K3P9QX")["number"] == "RC-2026-7K3P9QX"
    with pytest.raises(NotFound):
        domain.authorize(f"Bearer {token}", "RC-2026-AAAAAAA")
    with pytest.raises(Unauthorized):
        domain.authorize(f"Bearer {token}x", "RC-2026-7K3P9QX")
    with pytest.raises(Unauthorized):
        domain.authorize(None, "RC-2026-7K3P9QX")
    other_purpose = tokens.issue("staff", {"number": "RC-2026-7K3P9QX"})
    with pytest.raises(Unauthorized):
        domain.authorize(f"Bearer {other_purpose}", "RC-2026-7K3P9QX")
