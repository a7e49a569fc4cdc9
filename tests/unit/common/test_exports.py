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


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        ("figures-anfa-roads-2026-01.csv", 'attachment; filename="figures-anfa-roads-2026-01.csv"'),
        ('figures-a"\r\nX-Injected: 1.csv', 'attachment; filename="figures-a-X-Injected-1.csv"'),
        ('a"; filename=evil.exe', 'attachment; filename="a-filename-evil.exe"'),
        ("أرقام.csv", 'attachment; filename="export.csv"'),
        ("\r\n", 'attachment; filename="export.csv"'),
    ],
)
def test_a_downloads_name_is_plain_ascii_whatever_it_was_made_of(name, disposition):
    from flask import Flask

    from common.exports import csv_response

    with Flask("unit").test_request_context():
        response = csv_response(name, ["a"], [])
    assert response.headers["Content-Disposition"] == disposition
