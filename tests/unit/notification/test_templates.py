import pytest

from services.notification import mail, templates

CONTEXT = {
    "number": "RC-2026-7K3P9QX",
    "citizen_name": "<b>Amina</b>",
    "complaint_subject": "Nid de poule",
    "category_name": "Voirie",
    "district_name": "Anfa",
    "submitted_at": "28/11/2026",
    "ack_due": "08/12/2026",
    "answer_due": "12/01/2027",
    "tracking_url": "http://localhost:8080/track?number=RC-2026-7K3P9QX",
}


@pytest.mark.parametrize("language, word", [("fr", "réclamation"), ("en", "complaint"), ("ar", "شكايتكم")])
def test_the_acknowledgement_exists_in_each_language_with_the_number(language, word):
    subject, text, html = templates.render("acknowledgement", language, CONTEXT)
    assert "RC-2026-7K3P9QX" in subject and "RC-2026-7K3P9QX" in text and "RC-2026-7K3P9QX" in html
    assert word in text
    assert CONTEXT["tracking_url"] in text and "12/01/2027" in text


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
