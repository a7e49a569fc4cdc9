"""The queue's deadlines, counted in the city's calendar, and the assigned member's name on each line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import render_template
from markupsafe import escape

from common import config, translations
from gateway.web import filters

# 16:00 UTC is already the next day in Tokyo (UTC+9, no summer time): 2026-06-11 01:00.
NOW = datetime(2026, 6, 10, 16, 0, tzinfo=UTC)


@pytest.fixture
def tokyo(monkeypatch):
    monkeypatch.setenv("TIMEZONE", "Asia/Tokyo")
    monkeypatch.setattr(filters, "utcnow", lambda: NOW)
    config.reload()
    yield
    monkeypatch.delenv("TIMEZONE")
    config.reload()


@pytest.mark.parametrize(
    ("due", "days", "late"),
    [
        ("2026-06-11T14:00:00.000Z", 0, False),  # 23:00 in the city, today there (tomorrow in UTC)
        ("2026-06-11T15:30:00.000Z", 1, False),  # 00:30 on the 12th in the city
        ("2026-06-10T15:30:00.000Z", 0, True),  # passed half an hour ago, today in the city
        ("2026-06-08T10:00:00.000Z", -3, True),
        ("2026-07-26T00:00:00.000Z", 45, False),
    ],
)
def test_a_deadline_is_counted_in_days_of_the_citys_calendar(tokyo, due, days, late):
    assert filters.deadline(due) == {"days": days, "late": late}


def _line(number: str, answer_due: str, status: str = "in_progress", agent=None, agent_name=None) -> dict:
    return {
        "number": number,
        "kind": "complaint",
        "category": "roads",
        "district": "anfa",
        "subject": "Trou",
        "status": status,
        "citizen_name": None,
        "submitted_at": "2026-05-01T10:00:00.000Z",
        "updated_at": "2026-05-01T10:00:00.000Z",
        "ack_due": "2026-05-05T10:00:00.000Z",
        "answer_due": answer_due,
        "overdue": answer_due < "2026-06-10T16",
        "assignment": {"department": "roads", "agent": agent, "agent_name": agent_name, "at": "x", "by": "x"}
        if agent
        else None,
    }


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_each_line_of_the_queue_says_its_days_left_or_late_in_words_not_only_colour(tokyo, lang):
    from gateway.app import create_app
    from gateway.web.staff import OPEN_STATUSES, STATUSES

    items = [
        _line("RC-2026-LATE003", "2026-06-08T10:00:00.000Z", agent="salma", agent_name="Salma Idrissi"),
        _line("RC-2026-LEFT045", "2026-07-26T00:00:00.000Z", agent="karim"),  # a member without a name
        _line("RC-2026-TODAY00", "2026-06-11T14:00:00.000Z"),
        _line("RC-2026-DONE000", "2026-06-08T10:00:00.000Z", status="resolved"),  # answered: no count
    ]
    app = create_app({"TESTING": True})
    with app.test_request_context(f"/staff?assigned=me&lang={lang}"):
        app.preprocess_request()
        html = render_template(
            "staff/queue.html",
            me={"username": "salma", "role": "agent"},
            filters={"assigned": "me"},
            page={"items": items, "total": 4, "total_capped": False, "page": 1, "page_size": 20},
            error=None,
            statuses=STATUSES,
            open_statuses=OPEN_STATUSES,
            districts={"anfa": "Anfa"},
            categories={"roads": "Voirie"},
        )
    texts = translations.translations(lang, "pages")
    words = {key: str(escape(texts.gettext(key))) for key in ("staff.due.today", "staff.queue.mine")}
    rows = {row.split('dir="ltr">')[1][:15]: row for row in html.split("<tr")[2:]}
    late = escape(texts.ngettext("staff.due.late", "staff.due.late", 3).format(n=3))  # as the page writes it
    assert f'<strong class="due late">{late}</strong>' in rows["RC-2026-LATE003"]
    left = escape(texts.ngettext("staff.due.left", "staff.due.left", 45).format(n=45))
    assert left in rows["RC-2026-LEFT045"]
    assert words["staff.due.today"] in rows["RC-2026-TODAY00"]
    assert "due" not in rows["RC-2026-DONE000"].split("<time")[1]
    assert "Salma Idrissi" in rows["RC-2026-LATE003"] and ">karim<" in rows["RC-2026-LEFT045"]
    assert f"<h1>{words['staff.queue.mine']}</h1>" in html
    assert 'name="assigned" value="me"' in html  # the filters keep to my complaints
