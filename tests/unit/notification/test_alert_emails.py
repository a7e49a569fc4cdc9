"""The alerts for a place's emails: whom, which, in which language, with which links, and nothing personal."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from common import tokens
from common.vocabulary import EventType
from services.notification import alert_rules, events, links, rules, templates

AT = "2026-03-04T08:00:00.000Z"
ANFA = {"fr": "Anfa", "ar": "أنفا", "en": "Anfa"}
ROADS = {"fr": "Voirie et trottoirs", "ar": "الطرق والأرصفة", "en": "Roads and pavements"}
REPORT = {
    "number": "RC-2026-7K3P9QX",
    "kind": "claim",
    "category": "roads",
    "category_name": ROADS,
    "district": "anfa",
    "district_name": ANFA,
    "status": "received",
    "subject": "Nid de poule <devant> l'école",
    "submitted_at": AT,
}


def alert(language: str = "ar", **changes) -> dict:
    place = {"district": None, "district_name": None, "lat": 33.5951, "lon": -7.6328, "radius_m": 500}
    return {"id": "8f14e45fceea167a5a36dedd", "email": "salma@example.ma", "language": language,
            "frequency": "each", **place, **changes}  # fmt: skip


def event(type_: str, **data) -> dict:
    return {"id": "e1", "type": type_, "time": AT, "data": data}


def requested(**changes) -> dict:
    return event(
        EventType.ALERT_REQUESTED, alert=alert(**changes), at=AT, expires_at="2026-03-07T08:00:00.000Z"
    )


def matched(distance_m: int | None = 120, **changes) -> dict:
    data = {"number": REPORT["number"], "alert": alert(**changes), "report": REPORT, "distance_m": distance_m}
    return event(EventType.ALERT_MATCHED, **data, at=AT)


def digest(reports: list[dict], **changes) -> dict:
    data = {"alert": alert(frequency="weekly", **changes), "reports": reports, "total": len(reports) + 3}
    return event(
        EventType.ALERT_DIGEST_COMPILED,
        **data,
        since="2026-03-03T08:00:00.000Z",
        until="2026-03-10T08:00:00.000Z",
    )


def rendered(email: dict) -> tuple[str, str, str]:
    context = {**email["context"], **links.for_email(email, None)}
    return templates.render(email["template"], email["language"], context)


@pytest.mark.parametrize(
    ("made", "template", "link"),
    [
        (requested, "alert_confirm", "alert_confirm"),
        (matched, "alert_report", "alert"),
        (lambda: digest([REPORT]), "alert_digest", "alert"),
    ],
)
def test_each_alert_event_emails_its_subscriber_once_in_their_language(made, template, link):
    [email] = alert_rules.plan(made())
    assert (email["recipient"], email["role"], email["template"], email["language"], email["link"]) == (
        "salma@example.ma",
        "subscriber",
        template,
        "ar",
        link,
    )
    assert email["alert_id"] == "8f14e45fceea167a5a36dedd"
    assert rules.sending_pool(email["role"]) == "alerts"  # strangers' requests fill no other pool


def test_a_week_without_a_report_sends_nothing():
    assert alert_rules.plan(digest([])) == []


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_the_request_to_confirm_carries_only_its_link_and_says_what_was_asked(language):
    [email] = alert_rules.plan(requested(language=language))
    subject, text, html = rendered(email)
    url = links.for_email(email, None)["confirm_url"]
    assert url.split("?")[0].endswith("/alerts/confirm") and url in text
    query = parse_qs(urlsplit(url).query)
    assert query["lang"] == [language]
    assert tokens.alert_confirmation_claims(query["token"][0]) == {"alert": "8f14e45fceea167a5a36dedd"}
    assert "500" in text and "33.5951" in text and "unsubscribe" not in text
    assert f'lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}"' in html


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_a_report_is_told_with_its_public_page_and_the_link_to_stop(language):
    [email] = alert_rules.plan(matched(language=language))
    subject, text, html = rendered(email)
    assert "RC-2026-7K3P9QX" in subject and ROADS[language] in subject
    assert "/reports/RC-2026-7K3P9QX" in text and "/reports/RC-2026-7K3P9QX" in html
    assert REPORT["subject"] in text and "Nid de poule &lt;devant&gt; l&#39;école" in html
    assert ANFA[language] in text and "120" in text
    unsubscribe = links.for_email(email, None)["unsubscribe_url"]
    assert "/alerts/unsubscribe?" in unsubscribe and unsubscribe in text
    token = parse_qs(urlsplit(unsubscribe).query)["token"][0]
    assert tokens.alert_unsubscribe_claims(token) == {"alert": "8f14e45fceea167a5a36dedd"}
    assert "None" not in text + html + subject


def test_a_district_alert_names_its_district_in_the_subscribers_language():
    [email] = alert_rules.plan(
        matched(None, district="anfa", district_name=ANFA, lat=None, lon=None, radius_m=None)
    )
    _subject, text, html = rendered(email)
    assert "أنفا" in text and "None" not in text + html


@pytest.mark.parametrize("language", ["fr", "ar", "en"])
def test_the_digest_lists_each_report_with_its_page_and_says_how_many_there_were(language):
    second = {**REPORT, "number": "RC-2026-4M8TQ2D", "subject": "Lampadaire éteint", "district": None}
    [email] = alert_rules.plan(digest([REPORT, second], language=language))
    subject, text, html = rendered(email)
    assert "(5)" in subject  # the total, of which the newest are listed
    for number in ("RC-2026-7K3P9QX", "RC-2026-4M8TQ2D"):
        assert f"/reports/{number}" in text and f"/reports/{number}" in html
    assert "Lampadaire éteint" in text and "None" not in text + html + subject


def test_an_alerts_email_reports_its_subscription_and_the_report_it_is_about_never_the_address():
    [told] = alert_rules.plan(matched())
    report = events.report(matched(), told)
    assert report["number"] == "RC-2026-7K3P9QX" and report["alert"] == "8f14e45fceea167a5a36dedd"
    [sent] = events.outcome(events.sent, report)
    assert sent["subject"] == "RC-2026-7K3P9QX" and "salma" not in str(sent)
    # The request to confirm is of no complaint: no notification.* event, whose subject is one
    [confirm] = alert_rules.plan(requested())
    report = events.report(requested(), confirm)
    assert report["number"] is None and events.outcome(events.sent, report) == []
    assert events.outcome(events.failed, report, "capped", "too many") == []
