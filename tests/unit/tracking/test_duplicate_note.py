"""The public note on a merged duplicate: the kept complaint's number, in its citizen's language."""

from __future__ import annotations

import pytest

from services.tracking import treatment


@pytest.mark.parametrize(
    ("citizen", "opening"),
    [
        ({"language": "ar"}, "سبق التبليغ عن هذه الشكاية تحت الرقم RC-2026-KEPT0001:"),
        ({"language": "en"}, "This complaint was already reported under number RC-2026-KEPT0001:"),
        ({"language": "fr"}, "Cette réclamation a déjà été signalée sous le numéro RC-2026-KEPT0001 :"),
        ({"language": "de"}, "Cette réclamation a déjà été signalée sous le numéro RC-2026-KEPT0001 :"),
        ({}, "Cette réclamation a déjà été signalée sous le numéro RC-2026-KEPT0001 :"),
    ],
)
def test_a_duplicates_note_names_the_kept_complaint_in_its_citizens_language(citizen, opening):
    assert treatment.duplicate_note(citizen, "RC-2026-KEPT0001").startswith(opening)
