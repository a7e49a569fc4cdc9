"""CSV cells a spreadsheet opens as text, never as a formula."""

import pytest

from common.exports import _cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("+212 661 23 45 67", "+212 661 23 45 67"),
        ("-12.5", "-12.5"),
        ("Nid de poule", "Nid de poule"),
        ("حفرة في الطريق", "حفرة في الطريق"),
        (-3, "-3"),
        (None, ""),
        (True, "true"),
    ],
)
def test_cells_are_text_never_formulas(value, written):
    assert _cell(value) == written
