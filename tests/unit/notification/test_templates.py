import pytest

from services.notification import mail, templates

CONTEXT = {
    "number": "RC-2026-7K3P9QX",
    "citizen_name": "<b>Amina</b>",
    "complaint_subject": "Nid de poule",
    "category_name": "Voirie",
    "district_name": "Anfa",
    "submitted_at": "2026-11-28T09:00:00+00:00",
    "ack_due": "2026-12-08T09:00:00+00:00",
    "answer_due": "2027-01-12T09:00:00+00:00",
    "tracking_url": "http://localhost:8080/complaints/RC-2026-7K3P9QX/open?t=eyJuIjoi.aBc",
    "link_until": "2027-01-27T09:00:00+00:00",
}


@pytest.mark.parametrize("language, word", [("fr", "réclamation"), ("en", "complaint"), ("ar", "شكايتكم")])
def test_the_acknowledgement_exists_in_each_language_with_the_number(language, word):
    subject, text, html = templates.render("acknowledgement", language, CONTEXT)
    assert "RC-2026-7K3P9QX" in subject and "RC-2026-7K3P9QX" in text and "RC-2026-7K3P9QX" in html
    assert word in text
    assert CONTEXT["tracking_url"] in text and templates.day_in(language, CONTEXT["answer_due"]) in text


def test_arabic_html_reads_right_to_left():
    _subject, _text, html = templates.render("acknowledgement", "ar", CONTEXT)
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert 'dir="ltr"' in templates.render("acknowledgement", "fr", CONTEXT)[2]


def test_citizen_text_is_escaped_in_html():
    html = templates.render("acknowledgement", "en", CONTEXT)[2]
    assert "<b>Amina</b>" not in html and "&lt;b&gt;Amina&lt;/b&gt;" in html


def test_an_unknown_language_falls_back_to_french():
    assert "Accusé de réception" in templates.render("acknowledgement", "de", CONTEXT)[0]


def test_messages_carry_text_and_html_alternatives():
    subject, text, html = templates.render("acknowledgement", "fr", CONTEXT)
    message = mail.build(
        to="amina@example.ma",
        subject=subject,
        text=text,
        html=html,
        headers={"X-Complaint-Number": CONTEXT["number"]},
    )
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["X-Complaint-Number"] == CONTEXT["number"]


# 23:30 UTC on 30 November is already 1 December in Casablanca (UTC+1), as the pages show it.
NEAR_MIDNIGHT = {
    **CONTEXT,
    "submitted_at": "2026-11-30T23:30:00Z",
    "ack_due": "2026-12-15T23:30:00+00:00",
    "answer_due": "2027-01-28T23:59:00+00:00",
    "link_until": "2027-01-29T23:30:00+00:00",
}


@pytest.mark.parametrize(
    "language, submitted, ack_due, answer_due, link_until",
    [
        (
            "fr",
            "reçue le 1er décembre 2026 à 00:30",
            "16 décembre 2026",
            "29 janvier 2027",
            "30 janvier 2027",
        ),
        (
            "en",
            "received on 1 December 2026 at 00:30",
            "16 December 2026",
            "29 January 2027",
            "30 January 2027",
        ),
        ("ar", "بتاريخ 1 دجنبر 2026 على الساعة 00:30", "16 دجنبر 2026", "29 يناير 2027", "30 يناير 2027"),
    ],
)
def test_email_times_are_the_citys_in_each_languages_words(
    language, submitted, ack_due, answer_due, link_until
):
    _subject, text, html = templates.render("acknowledgement", language, NEAR_MIDNIGHT)
    for part in (text, html):
        assert submitted in part and ack_due in part and answer_due in part and link_until in part
        assert "30/11" not in part and "novembre" not in part and "November" not in part


def test_email_times_agree_with_the_pages(monkeypatch):
    from datetime import datetime

    from common import config
    from gateway.web import filters

    monkeypatch.setenv("TIMEZONE", "America/New_York")  # 23:30 UTC is 18:30 there, the same day
    config.reload()
    try:
        moment = "2026-11-30T23:30:00+00:00"
        assert filters.when(moment) == "30/11/2026 18:30"
        assert templates.when_in("fr", moment) == "30 novembre 2026 à 18:30"
        assert templates.day_in("en", datetime.fromisoformat(moment)) == "30 November 2026"
    finally:
        monkeypatch.delenv("TIMEZONE")
        config.reload()
