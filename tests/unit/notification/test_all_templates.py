"""Every notification template renders in every language, with and without its optional values."""

import pytest

from common import translations
from services.notification import templates

NUMBER = "RC-2026-7K3P9QX"
TRACKING_URL = f"http://localhost:8080/complaints/{NUMBER}/open?t=eyJuIjoi.aBc-dEf_123"
STAFF_URL = f"http://localhost:8080/staff/complaints/{NUMBER}"

COMMON = {
    "number": NUMBER,
    "complaint_subject": "Nid de poule devant l'école",
    "category_name": "Voirie et trottoirs",
    "district_name": "Anfa",
}
# Times as the events give them (UTC); at 10:00 UTC the city's day is the same.
CITIZEN = {
    **COMMON,
    "citizen_name": "Amina Bennani",
    "tracking_url": TRACKING_URL,
    "link_until": "2027-01-31T10:00:00+00:00",
}
STAFF = {**COMMON, "staff_name": "Karim El Idrissi", "staff_url": STAFF_URL}
UNFOLLOW_URL = f"http://localhost:8080/complaints/{NUMBER}/unfollow?token=abc.def"
CONFIRM_URL = f"http://localhost:8080/complaints/{NUMBER}/follow/confirm?token=ghi.jkl"
FOLLOWER = {
    **{k: COMMON[k] for k in ("number", "category_name", "district_name")},
    "unfollow_url": UNFOLLOW_URL,
}

# For each template: a context with its optional values set, and the same with them set to None.
FULL = {
    "status": {
        **CITIZEN,
        "status": "in_progress",
        "public_note": "Une équipe passera cette semaine.",
        "at": "2026-12-02T10:00:00+00:00",
    },
    "answer": {
        **CITIZEN,
        "status": "rejected",
        "public_note": "La voie relève d'un autre gestionnaire.",
        "reason": "Hors du périmètre de la commune.",
        "at": "2026-12-20T10:00:00+00:00",
        "reopen_until": "2027-01-19T10:00:00+00:00",
        "can_reopen": True,
    },
    "reopened": {**CITIZEN, "reason": "Le trou est toujours là.", "answer_due": "2027-02-18T10:00:00+00:00"},
    "staff_new": {
        **STAFF,
        "placement": "new",
        "kind": "claim",
        "description": "Un nid de poule profond devant l'école.\nDes enfants ont failli tomber.",
        "ack_due": "2026-12-08T10:00:00+00:00",
        "answer_due": "2027-01-12T10:00:00+00:00",
    },
    "staff_reopened": {
        **STAFF,
        "reason": "Le trou est toujours là.",
        "reopen_count": 2,
        "answer_due": "2027-02-18T10:00:00+00:00",
    },
    "staff_update": {
        **STAFF,
        "what": "remark",
        "document_name": None,
        "remark_text": "Le trou s'est agrandi après la pluie.",
    },
    "staff_overdue": {
        **STAFF,
        "deadline": "answer",
        "due": "2027-01-12T10:00:00+00:00",
        "status": "in_progress",
    },
    # A follower's: never the complaint's subject, its citizen's name or the tracking link.
    "following": {**FOLLOWER, "merged_from": "RC-2026-4M8TQ2D", "moved_from": None},
    "follower_status": {
        **FOLLOWER,
        "status": "resolved",
        "at": "2026-12-20T10:00:00+00:00",
        "public_note": "La chaussée a été refaite le 18 décembre.",
    },
    # Not a follower yet: only the link to confirm, and the day the request is forgotten.
    "follow_confirm": {
        **{k: COMMON[k] for k in ("number", "category_name", "district_name")},
        "confirm_url": CONFIRM_URL,
        "expires_at": "2026-12-23T10:00:00+00:00",
    },
}
OPTIONAL = {
    "status": ["citizen_name", "public_note"],
    "answer": ["citizen_name", "public_note", "reason"],
    "reopened": ["citizen_name"],
    "staff_new": ["staff_name"],
    "staff_reopened": ["staff_name"],
    "staff_update": ["staff_name", "document_name", "remark_text"],
    "staff_overdue": ["staff_name"],
    "following": ["merged_from"],
    "follower_status": ["public_note"],
    "follow_confirm": [],
}
# The citizen's own words, which the HTML part must escape.
CITIZEN_TEXT = {
    "status": ["public_note"],
    "answer": ["public_note", "reason"],
    "reopened": ["reason"],
    "staff_new": ["description"],
    "staff_reopened": ["reason"],
    "staff_update": ["remark_text"],
    "staff_overdue": ["complaint_subject"],
    "following": [],
    "follower_status": ["public_note"],  # the city's, but a staff member's words all the same
    "follow_confirm": [],
}
NAMES = list(FULL)
FOLLOWERS = ["following", "follower_status"]
LANGUAGES = list(templates.LANGUAGES)


def without_optional(name: str) -> dict:
    return {**FULL[name], **dict.fromkeys(OPTIONAL[name])}


def variants(name: str) -> list[dict]:
    return [FULL[name], without_optional(name)]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("optional", ["set", "none"])
def test_every_template_carries_the_number_and_never_prints_none(name, language, optional):
    context = FULL[name] if optional == "set" else without_optional(name)
    subject, text, html = templates.render(name, language, context)
    assert NUMBER in subject and NUMBER in text and NUMBER in html
    assert "\n" not in subject
    assert "None" not in text and "None" not in html
    assert "None" not in subject


@pytest.mark.parametrize("name", [n for n in NAMES if n not in [*FOLLOWERS, "follow_confirm"]])
@pytest.mark.parametrize("language", LANGUAGES)
def test_optional_names_are_greeted_only_when_known(name, language):
    who = "citizen_name" if "citizen_name" in FULL[name] else "staff_name"
    _subject, text, html = templates.render(name, language, FULL[name])
    assert FULL[name][who] in text and FULL[name][who] in html
    _subject, text, html = templates.render(name, language, without_optional(name))
    assert FULL[name][who] not in text and FULL[name][who] not in html


@pytest.mark.parametrize("name", NAMES)
def test_arabic_html_reads_right_to_left_with_the_number_left_to_right(name):
    for context in variants(name):
        html = templates.render(name, "ar", context)[2]
        assert 'dir="rtl"' in html and 'lang="ar"' in html
        assert f'<span dir="ltr">{NUMBER}</span>' in html


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_french_and_english_html_read_left_to_right(name, language):
    html = templates.render(name, language, FULL[name])[2]
    assert 'dir="ltr"' in html and f'lang="{language}"' in html


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_citizen_text_is_escaped_in_html_and_kept_in_text(name, language):
    fields = CITIZEN_TEXT[name]
    context = {**FULL[name], **{field: f"<script>{field}</script>" for field in fields}}
    _subject, text, html = templates.render(name, language, context)
    for field in fields:
        assert f"&lt;script&gt;{field}&lt;/script&gt;" in html
        assert f"<script>{field}</script>" in text
    assert "<script>" not in html


@pytest.mark.parametrize("name", ["status", "answer", "reopened"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_citizen_messages_link_to_the_tracking_page(name, language):
    for context in variants(name):
        _subject, text, html = templates.render(name, language, context)
        assert TRACKING_URL in text and TRACKING_URL in html


@pytest.mark.parametrize("name", ["staff_new", "staff_reopened", "staff_update", "staff_overdue"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_messages_link_to_the_back_office(name, language):
    for context in variants(name):
        _subject, text, html = templates.render(name, language, context)
        assert STAFF_URL in text and STAFF_URL in html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("status", ["resolved", "rejected"])
@pytest.mark.parametrize("can_reopen", [True, False])
def test_the_answer_invites_to_rate_and_explains_reopening_only_when_possible(language, status, can_reopen):
    context = {**FULL["answer"], "status": status, "can_reopen": can_reopen}
    _subject, text, html = templates.render("answer", language, context)
    assert TRACKING_URL in text and TRACKING_URL in html
    answered, until = templates.when_in(language, context["at"]), templates.day_in(language, "2027-01-19")
    assert answered in text and answered in html
    if can_reopen:
        assert until in text and until in html
    else:
        assert until not in text and until not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_answer_shows_the_note_and_the_reason(language):
    context = FULL["answer"]
    _subject, text, html = templates.render("answer", language, context)
    for value in (context["public_note"], context["reason"]):
        assert value in text
    assert "Hors du périmètre de la commune." in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_status_change_is_labelled_and_shows_the_public_note(language):
    _subject, text, html = templates.render("status", language, FULL["status"])
    assert "in_progress" not in text and "in_progress" not in html
    assert FULL["status"]["public_note"] in text and FULL["status"]["public_note"] in html
    assert templates.when_in(language, FULL["status"]["at"]) in text


@pytest.mark.parametrize("language", ["fr", "ar"])  # English labels may equal the codes
@pytest.mark.parametrize("status", ["acknowledged", "in_progress", "closed"])
def test_every_status_has_a_label(language, status):
    subject, text, _html = templates.render("status", language, {**FULL["status"], "status": status})
    assert status not in subject and status not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reopening_confirmation_shows_the_reason_and_the_new_deadline(language):
    _subject, text, html = templates.render("reopened", language, FULL["reopened"])
    assert "Le trou est toujours là." in text and "Le trou est toujours là." in html
    due = templates.day_in(language, "2027-02-18")
    assert due in text and due in html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["complaint", "claim", "suggestion"])
def test_a_new_complaint_shows_the_description_and_the_deadlines(language, kind):
    context = {**FULL["staff_new"], "kind": kind}
    _subject, text, html = templates.render("staff_new", language, context)
    assert context["description"] in text
    assert "Des enfants ont failli tomber." in html
    word = translations.translations(language, "emails").gettext(f"kind_word.{kind}")
    assert word != f"kind_word.{kind}" and word in text and word in html  # the kind in the email's words
    for due in ("2026-12-08", "2027-01-12"):
        assert templates.day_in(language, due) in text and templates.day_in(language, due) in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_reopening_tells_staff_the_reason_count_and_deadline(language):
    _subject, text, html = templates.render("staff_reopened", language, FULL["staff_reopened"])
    for value in ("Le trou est toujours là.", templates.day_in(language, "2027-02-18")):
        assert value in text and value in html
    assert ": 2" in text and ">2<" in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_citizen_remark_is_shown_to_staff(language):
    context = {**FULL["staff_update"], "what": "remark", "remark_text": "Le trou s'est agrandi."}
    _subject, text, html = templates.render("staff_update", language, context)
    assert "Le trou s'est agrandi." in text
    assert "Le trou s&#39;est agrandi." in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_citizen_document_is_named_to_staff(language):
    context = {
        **FULL["staff_update"],
        "what": "document",
        "document_name": "photo-chaussee.jpg",
        "remark_text": None,
    }
    subject, text, html = templates.render("staff_update", language, context)
    assert "photo-chaussee.jpg" in text and "photo-chaussee.jpg" in html
    remark = templates.render("staff_update", language, FULL["staff_update"])[0]
    assert subject != remark


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("deadline", ["acknowledgement", "answer"])
def test_an_overdue_deadline_is_labelled_with_its_due_date(language, deadline):
    context = {**FULL["staff_overdue"], "deadline": deadline}
    subject, text, html = templates.render("staff_overdue", language, context)
    due = templates.day_in(language, "2027-01-12")
    assert due in text and due in html
    assert "in_progress" not in text
    if language != "en":
        assert deadline not in subject and deadline not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_are_told_whether_a_complaint_is_new_waits_for_a_district_or_was_placed(language):
    texts = {
        placement: templates.render("staff_new", language, {**FULL["staff_new"], "placement": placement})[1]
        for placement in ("new", "unplaced", "placed")
    }
    assert len(set(texts.values())) == 3
    assert "Open311" in texts["unplaced"]


@pytest.mark.parametrize("name", FOLLOWERS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_follower_gets_the_link_to_stop_and_nothing_of_the_citizen(name, language):
    for context in variants(name):
        subject, text, html = templates.render(name, language, context)
        assert UNFOLLOW_URL in text and UNFOLLOW_URL.replace("&", "&amp;") in html
        for private in ("Nid de poule", "Amina", TRACKING_URL):
            assert private not in subject + text + html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_merged_citizen_is_told_which_complaint_their_own_is_handled_with(language):
    subject, text, _html = templates.render("following", language, FULL["following"])
    assert "RC-2026-4M8TQ2D" in subject and "RC-2026-4M8TQ2D" in text
    plain = templates.render("following", language, without_optional("following"))[1]
    assert "RC-2026-4M8TQ2D" not in plain


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_follower_of_a_merged_complaint_is_told_which_one_it_is_handled_with(language):
    context = {**FULL["following"], "merged_from": None, "moved_from": "RC-2026-9Z9Z9Z9"}
    subject, text, html = templates.render("following", language, context)
    assert "RC-2026-9Z9Z9Z9" in subject and "RC-2026-9Z9Z9Z9" in text and "RC-2026-9Z9Z9Z9" in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_request_to_follow_carries_the_link_to_confirm_and_nothing_else(language):
    subject, text, html = templates.render("follow_confirm", language, FULL["follow_confirm"])
    assert CONFIRM_URL in text and CONFIRM_URL in html
    assert UNFOLLOW_URL not in text and "Nid de poule" not in subject + text + html
    assert "23" in text  # the day the request is forgotten
