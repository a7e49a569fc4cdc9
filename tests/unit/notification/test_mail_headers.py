"""No control character reaches a header: such a message is refused for good, never sent."""

from __future__ import annotations

import pytest

from services.notification import mail

GOOD = {"to": "amina@example.ma", "subject": "Réclamation RC-2026-7K3P9QX", "text": "t", "html": "<p>h</p>"}


@pytest.mark.parametrize(
    "changes",
    [
        {"to": '"a\u0007\u001b"@example.ma'},
        {"to": "amina@example.ma\x00"},
        {"to": '"a\x7f"@example.ma'},
        {"to": "amina@example.ma\x85"},
        {"subject": "Nid\x1b[31m de poule"},
        {"subject": "Nid de poule\r\nBcc: x@example.org"},
        {"headers": {"X-Complaint-Number": "RC-2026-7K3P9QX\x9b"}},
    ],
)
def test_a_header_with_a_control_character_is_a_permanent_failure(changes):
    with pytest.raises(mail.PermanentFailure) as refused:
        mail.build(**{**GOOD, **changes})
    assert "@" not in str(refused.value)  # the reason goes to events and logs


def test_a_message_without_one_is_built_with_text_and_tabs_in_its_body():
    message = mail.build(**{**GOOD, "text": "Ligne 1\n\tLigne 2"})
    assert message["To"] == "amina@example.ma" and message["Subject"] == GOOD["subject"]
