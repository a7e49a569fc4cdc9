"""The administrators' canned answers: per category and target status, in French, Arabic and English."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from common.vocabulary import Status
from gateway.web import i18n
from gateway.web.shared import catalogue, field_messages, names, problem, web
from gateway.web.staff import admin_only, api, render

_ = i18n.gettext
# The statuses staff move a complaint to, every one but those the citizen puts it in (filing,
# reopening): what an answer is written for.
ANSWER_STATUSES = tuple(status for status in Status if status not in (Status.RECEIVED, Status.REOPENED))


@web.get("/staff/answers")
@admin_only
def staff_answers(errors: dict | None = None, status: int = 200):
    answer = api("intake", "GET", "/api/v1/staff/answers")
    return render(
        "staff/answers.html",
        status,
        answers=answer.body["items"] if answer.ok else [],
        error=None if answer.ok else problem(answer),
        categories=names(catalogue()["categories"]),
        statuses=ANSWER_STATUSES,
        errors=errors or {},
        values=request.form if errors else {},
    )


@web.post("/staff/answers")
@admin_only
def staff_answer_create():
    form = request.form
    body = {
        "category": form.get("category", ""),
        "status": form.get("status", ""),
        "title": form.get("title", "").strip(),
        "text": {lang: form.get(f"text_{lang}", "").strip() for lang in i18n.LANGUAGES},
    }
    answer = api("intake", "POST", "/api/v1/staff/answers", json=body)
    if answer.ok:
        flash(_("staff.answers.created"), "success")
        return redirect(url_for("web.staff_answers"), 303)
    errors = {
        # The API's `text.ar` is the form's `text_ar`.
        f"new.text_{field[5:]}" if field.startswith("text.") else f"new.{field}": (
            _("staff.answers.text.error") if field.startswith("text.") else message
        )
        for field, message in field_messages(answer).items()
    }
    errors["new"] = problem(answer)
    return staff_answers(errors=errors, status=400)


@web.post("/staff/answers/<answer_id>/delete")
@admin_only
def staff_answer_delete(answer_id: str):
    answer = api("intake", "DELETE", f"/api/v1/staff/answers/{answer_id}")
    flash(_("staff.answers.deleted") if answer.ok else problem(answer), "success" if answer.ok else "error")
    return redirect(url_for("web.staff_answers"), 303)
