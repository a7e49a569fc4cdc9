"""An Open311 submission's notice: the category's deadlines, in the request's language."""

from __future__ import annotations

import pytest

from services.intake import open311


@pytest.mark.parametrize(
    ("locale", "placed", "said"),
    [
        ("fr", True, "Réclamation reçue : accusé de réception sous 3 jours, réponse sous 15 jours."),
        (
            "fr",
            False,
            "Réclamation reçue : accusé de réception sous 3 jours, réponse sous 15 jours. "
            "Les services la rattacheront à son arrondissement.",
        ),
        (
            "en",
            False,
            "Complaint received: acknowledged within 3 days, answered within 15 days. "
            "Staff will place it in its district.",
        ),
        ("ar", True, "تم استلام الشكاية: إشعار بالتوصل داخل 3 أيام، والرد داخل 15 يوما."),
    ],
)
def test_a_notice_gives_the_deadlines_and_says_when_staff_place_the_request(locale, placed, said):
    assert open311.notice(locale, ack=3, answer=15, placed=placed) == said
