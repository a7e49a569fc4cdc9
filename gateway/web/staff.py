"""The back office: signing in, the queue, treating a complaint, the figures and exports.

Every action is a call to the staff API with the member's token; administrators' pages are in
staff_admin.py and staff_answers.py.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, render_template, request, session, url_for

from common import bodies, uploads
from common.vocabulary import OPEN_STATUSES, Role, Status
from gateway.web import i18n
from gateway.web.shared import (
    catalogue,
    download,
    field_messages,
    figures_context,
    names,
    optional,
    problem,
    web,
)
from gateway.web.upstream import Answer, call

_ = i18n.gettext
STATUSES = tuple(Status)  # the queue's filter, in the order of a complaint's life


def member() -> dict | None:
    return session.get("staff")


def signed_in(view):
    """Send a visitor who is not signed in to the login page, and back afterwards."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if member() is None:
            return redirect(url_for("web.staff_login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def admin_only(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if member()["role"] != Role.ADMIN:
            flash(_("error.forbidden"), "error")
            return redirect(url_for("web.staff_queue"))
        return view(*args, **kwargs)

    return signed_in(wrapper)


def api(service: str, method: str, path: str, **kwargs) -> Answer:
    """Call the staff API as the member; a session the API ended (401) goes back to signing in."""
    answer = call(service, method, path, token=member()["token"], **kwargs)
    if answer.status == 401:
        session.pop("staff", None)
        flash(_("error.session"), "error")
        back = request.full_path.rstrip("?") if request.method == "GET" else None
        abort(redirect(url_for("web.staff_login", next=back), 303))
    return answer


def flash_refusal(what: str, answer: Answer, messages: dict[str, str] | None = None) -> None:
    """Say, on the next page, why a change of `what` was refused: each field's message, once."""
    wrong = " ".join(dict.fromkeys((field_messages(answer) if messages is None else messages).values()))
    flash(f"{what}: {wrong or problem(answer)}", "error")


def render(template: str, status: int = 200, **context):
    return render_template(template, me=member(), **context), status


# ---- signing in -----------------------------------------------------------------------------


@web.get("/staff/login")
def staff_login():
    return render("staff/login.html", values={}, errors={}, next=request.args.get("next", ""))


@web.post("/staff/login")
def staff_login_post():
    username = request.form.get("username", "").strip()
    answer = call(
        "tracking",
        "POST",
        "/api/v1/staff/login",
        json={"username": username, "password": request.form.get("password", "")},
    )
    if answer.ok:
        session.clear()
        session["staff"] = {k: answer.body[k] for k in ("access_token", "role", "districts", "username")}
        session["staff"]["token"] = session["staff"].pop("access_token")
        target = request.form.get("next", "")
        return redirect(target if target.startswith("/staff") else url_for("web.staff_queue"), 303)
    error = _("staff.login.failed") if answer.status in (400, 401) else problem(answer)
    return render(
        "staff/login.html",
        401,
        values={"username": username},
        errors={"form": error},
        next=request.form.get("next", ""),
    )


@web.post("/staff/logout")
def staff_logout():
    """End the member's sessions at the staff API (their token is refused from then on), then here."""
    if member() is not None:
        answer = call("tracking", "POST", "/api/v1/staff/logout", token=member()["token"])
        if not answer.ok and answer.status != 401:
            flash(problem(answer), "error")
            return redirect(url_for("web.staff_queue"), 303)
    session.pop("staff", None)
    flash(_("staff.logged_out"), "success")
    return redirect(url_for("web.staff_login"), 303)


# ---- the queue and a complaint --------------------------------------------------------------

QUEUE_FILTERS = ("status", "district", "category", "overdue", "q", "page", "unplaced", "assigned")


@web.get("/staff")
@signed_in
def staff_queue():
    filters = {key: (request.args.get(key) or "").strip() for key in QUEUE_FILTERS}
    answer = api(
        "tracking", "GET", "/api/v1/staff/complaints", params={k: v for k, v in filters.items() if v}
    )
    catalog = catalogue()
    return render(
        "staff/queue.html",
        filters=filters,
        page=answer.body if answer.ok else None,
        error=None if answer.ok else problem(answer),
        statuses=STATUSES,
        open_statuses=OPEN_STATUSES,
        districts=names(catalog["districts"]),
        categories=names(catalog["categories"]),
    )


@web.get("/staff/complaints/<number>")
@signed_in
def staff_complaint(number: str, errors: dict | None = None, status: int = 200):
    answer = api("tracking", "GET", f"/api/v1/staff/complaints/{number}")
    if not answer.ok:
        flash(problem(answer), "error")
        return redirect(url_for("web.staff_queue"))
    return _complaint_page(answer.body, errors or {}, status, request.form if errors else {})


def _canned_answers(c: dict) -> list[dict] | None:
    """Return the canned answers of the complaint's category for the statuses it may go to now.

    None when they cannot be read.
    """
    answer = api("intake", "GET", "/api/v1/staff/answers", params={"category": c["category"]})
    if not answer.ok:
        return None
    return [a for a in answer.body["items"] if a["status"] in c.get("transitions", ())]


def department_names(catalog: dict, also: str | None = None) -> dict[str, str]:
    """Return the departments the catalogue's categories name, each called by its categories' names.

    A department has a code only ("roads"): staff know it by what it treats, in their language.
    """
    called: dict[str, list[str]] = {}
    for category in catalog["categories"]:
        name = i18n.name(category.get("name"), category["code"])
        called.setdefault(category["department"], []).append(name)
    if also and also not in called:
        called[also] = [also]
    return {code: " / ".join(labels) for code, labels in called.items() if code}


def _complaint_page(c: dict, errors: dict, status: int, values, answers: list[dict] | None = None):
    catalog = catalogue()
    assignees = api("tracking", "GET", f"/api/v1/staff/complaints/{c['number']}/assignees")
    members = assignees.body["items"] if assignees.ok else []
    departments = department_names(catalog, also=c["department"])
    return render(
        "staff/complaint.html",
        status,
        c=c,
        categories=names(catalog["categories"]),
        districts=names(catalog["districts"]),
        departments=departments,
        # The members of the complaint's department first: the category names who treats it, but
        # anyone of the district may take it (a complaint filed under the wrong category, say).
        assignees=[m for m in members if m["department"] == c["department"]],
        others=[m for m in members if m["department"] != c["department"]],
        answers=(answers if answers is not None else _canned_answers(c)) or [],
        errors=errors,
        values=values,
    )


@web.post("/staff/complaints/<number>/answer")
@signed_in
def staff_use_answer(number: str):
    """Show the complaint again with a canned answer in the public note, in the citizen's language.

    The transition form's "Use" button posts here: what else was typed in that form stays.
    """
    complaint = api("tracking", "GET", f"/api/v1/staff/complaints/{number}")
    if not complaint.ok:
        flash(problem(complaint), "error")
        return redirect(url_for("web.staff_queue"))
    c, values = complaint.body, {key: value for key, value in request.form.items() if key != "csrf_token"}
    answers = _canned_answers(c)
    found = next((a for a in answers or () if a["id"] == request.form.get("answer")), None)
    if found is None:
        errors = {
            "transition.answer": _("staff.answers.choose") if answers is not None else _("error.unavailable")
        }
        return _complaint_page(c, errors, 400, values, answers)
    language = (c.get("citizen") or {}).get("language") or i18n.DEFAULT
    values["public_note"] = found["text"].get(language) or found["text"][i18n.DEFAULT]
    if not values.get("to"):
        values["to"] = found["status"]
    return _complaint_page(c, {}, 200, values, answers)


def _act(number: str, path: str, form_name: str, success: str, **kwargs):
    answer = api("tracking", "POST", f"/api/v1/staff/complaints/{number}{path}", **kwargs)
    if answer.ok:
        flash(_(success), "success")
        return redirect(url_for("web.staff_complaint", number=number), 303)
    errors = {f"{form_name}.{k}": v for k, v in field_messages(answer, form_name).items()}
    errors[form_name] = problem(answer)
    return staff_complaint(
        number, errors=errors, status=answer.status if answer.status in (403, 409) else 400
    )


@web.post("/staff/complaints/<number>/transitions")
@signed_in
def staff_transition(number: str):
    form = request.form
    body = {
        "to": form.get("to", ""),
        "public_note": optional(form.get("public_note")),
        "internal_note": optional(form.get("internal_note")),
        "reason": optional(form.get("reason")),
    }
    return _act(number, "/transitions", "transition", "staff.transition.done", json=body)


@web.post("/staff/complaints/<number>/assignment")
@signed_in
def staff_assign(number: str):
    body = {
        "department": optional(request.form.get("department")),
        "agent": optional(request.form.get("agent")),
    }
    return _act(number, "/assignment", "assignment", "staff.assignment.done", json=body)


@web.post("/staff/complaints/<number>/notes")
@signed_in
def staff_note(number: str):
    return _act(number, "/notes", "note", "staff.note.done", json={"text": request.form.get("text", "")})


@web.post("/staff/complaints/<number>/district")
@signed_in
def staff_place(number: str):
    return _act(
        number, "/district", "place", "staff.place.done", json={"district": request.form.get("district", "")}
    )


@web.post("/staff/complaints/<number>/merge")
@signed_in
def staff_merge(number: str):
    body = {
        "into": request.form.get("into", "").strip(),
        # A name of its own: the transition's canned answer fills `public_note`, never this message
        "public_note": optional(request.form.get("merge_note")),
    }
    return _act(number, "/merge", "merge", "merge.done", json=body)


@web.post("/staff/complaints/<number>/documents")
@bodies.accepts_uploads(uploads.document_bytes)
@signed_in
def staff_document(number: str):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return staff_complaint(number, errors={"document": _("field.file.error")}, status=400)
    files = {"file": (upload.filename, upload.stream, upload.mimetype)}
    return _act(number, "/documents", "document", "complaint.document.done", files=files)


@web.get("/staff/complaints/<number>/documents/<document_id>")
@web.get("/staff/complaints/<number>/documents/<document_id>/<any(thumb, display):name>")
@signed_in
def staff_download(number: str, document_id: str, name: str | None = None):
    """A document as it was sent, or a photo's thumbnail or display copy."""
    path = f"/api/v1/staff/complaints/{number}/documents/{document_id}" + (f"/{name}" if name else "")
    return download("tracking", path, member()["token"])


# ---- figures and exports --------------------------------------------------------------------


@web.get("/staff/figures")
@signed_in
def staff_figures():
    return render("staff/figures.html", **figures_context(request.args))


@web.get("/staff/exports/<name>.csv")
@signed_in
def staff_export(name: str):
    service = {"complaints": "tracking", "stats": "feedback"}.get(name)
    if service is None:
        return redirect(url_for("web.staff_figures"))
    query = request.query_string.decode()
    path = f"/api/v1/staff/exports/{name}.csv" + (f"?{query}" if query else "")
    return download(service, path, member()["token"])
