"""The citizen's pages: follow a complaint already reported, track one's own and act on it."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, session, url_for

from common import bodies, uploads
from gateway.web import i18n
from gateway.web.shared import catalogue, download, field_messages, names, optional, problem, web
from gateway.web.upstream import call

_ = i18n.gettext


# ---- following a complaint already reported -------------------------------------------


@web.route("/complaints/<number>/follow", methods=["GET", "POST"])
def follow(number: str):
    values = {
        "email": request.form.get("email", "").strip(),
        "language": request.form.get("language") or g.lang,
    }
    if request.method == "GET":
        return render_template("citizen/follow.html", number=number, values=values, errors={})
    body = {"email": values["email"], "language": values["language"]}
    answer = call("tracking", "POST", f"/api/v1/complaints/{number}/followers", json=body)
    if answer.status == 202:
        flash(_("follow.sent", number=answer.body["number"]), "success")
        return redirect(url_for("web.home"), 303)
    errors = field_messages(answer) if answer.status == 400 else {"form": problem(answer)}
    if answer.status == 404:
        errors = {"form": _("follow.not_found")}
    status = answer.status if answer.status in (404, 409, 429) else 400
    return render_template("citizen/follow.html", number=number, values=values, errors=errors), status


@web.route("/complaints/<number>/follow/confirm", methods=["GET", "POST"])
def follow_confirm(number: str):
    """Confirm a request to follow, from the link emailed to the address."""
    return _emailed_link(number, "follow.confirm", "/followers/confirm", done="follow.done")


@web.route("/complaints/<number>/unfollow", methods=["GET", "POST"])
def unfollow(number: str):
    """Stop following, from the link in a follower's email."""
    return _emailed_link(number, "unfollow", "/unfollow", done="unfollow.done")


def _emailed_link(number: str, words: str, api_path: str, *, done: str):
    """Show the page of a link emailed with a token, whose button acts: a mail scanner opening the
    link does nothing. `words` prefixes the page's texts (title, intro, submit, invalid)."""
    token = (request.values.get("token") or "")[:500]
    page = {"number": number, "token": token, "words": words, "action": request.endpoint}
    if request.method == "GET":
        return render_template("citizen/emailed_link.html", **page, error=None)
    answer = call("tracking", "POST", f"/api/v1/complaints/{number}{api_path}", json={"token": token})
    if answer.ok:
        flash(_(done, number=answer.body["number"]), "success")
        return redirect(url_for("web.home"), 303)
    error = _(f"{words}.invalid") if answer.status in (400, 401, 404) else problem(answer)
    status = answer.status if answer.status in (404, 409) else 400
    return render_template("citizen/emailed_link.html", **page, error=error), status


@web.get("/submitted")
def submitted():
    receipt = session.get("receipt")
    if not receipt:
        return redirect(url_for("web.home"))
    return render_template("citizen/submitted.html", receipt=receipt)


# ---- tracking -------------------------------------------------------------------------------


@web.get("/track")
def track():
    return render_template("citizen/track.html", values={"number": request.args.get("number", "")}, errors={})


@web.post("/track")
def track_post():
    number, email = request.form.get("number", "").strip(), request.form.get("email", "").strip()
    answer = call("tracking", "POST", "/api/v1/tracking", json={"number": number, "email": email})
    if answer.ok:
        found = answer.body["complaint"]["number"]
        session["tokens"] = {**session.get("tokens", {}), found: answer.body["access_token"]}
        return redirect(url_for("web.complaint", number=found), 303)
    errors = field_messages(answer) if answer.status == 400 else {"form": problem(answer)}
    if answer.status == 404:
        errors = {"form": _("track.not_found")}
    status = 429 if answer.status == 429 else 400
    response = Response(
        render_template("citizen/track.html", values={"number": number, "email": email}, errors=errors),
        status,
    )
    if answer.response is not None and "Retry-After" in answer.response.headers:
        response.headers["Retry-After"] = answer.response.headers["Retry-After"]
    return response


@web.get("/complaints/<number>/open")
def open_link(number: str):
    """Open a complaint from the link of its citizen's email, then show it at an address without the link.

    The link's token is exchanged for an access token kept in the session, as /track does; the 303
    leaves the token out of the address bar, the history and any Referer. A link that does not
    open it leads to the tracking form, its number filled in, saying to type the email instead.
    """
    body = {"number": number, "token": request.args.get("t", "")}
    answer = call("tracking", "POST", "/api/v1/tracking/link", json=body)
    if answer.ok:
        found = answer.body["complaint"]["number"]
        session["tokens"] = {**session.get("tokens", {}), found: answer.body["access_token"]}
        return redirect(url_for("web.complaint", number=found), 303)
    flash(_("link.invalid") if answer.status in (400, 404) else problem(answer), "error")
    return redirect(url_for("web.track", number=number), 303)


def _token(number: str) -> str | None:
    return session.get("tokens", {}).get(number)


def _forget(number: str):
    tokens = dict(session.get("tokens", {}))
    tokens.pop(number, None)
    session["tokens"] = tokens
    flash(_("error.session"), "error")
    return redirect(url_for("web.track", number=number))


@web.get("/complaints/<number>")
def complaint(number: str, errors: dict | None = None, status: int = 200):
    token = _token(number)
    if token is None:
        return redirect(url_for("web.track", number=number))
    answer = call("tracking", "GET", f"/api/v1/complaints/{number}", token=token)
    if answer.status == 401:
        return _forget(number)
    if not answer.ok:
        abort(answer.status if answer.status in (404, 503) else 502)
    catalog = catalogue()
    return render_template(
        "citizen/complaint.html",
        c=answer.body,
        categories=names(catalog["categories"]),
        districts=names(catalog["districts"]),
        errors=errors or {},
        values=request.form if errors else {},
    ), status


def _act(number: str, path: str, form_name: str, *, success: str, **kwargs):
    token = _token(number)
    if token is None:
        return redirect(url_for("web.track", number=number))
    answer = call("tracking", "POST", f"/api/v1/complaints/{number}{path}", token=token, **kwargs)
    if answer.status == 401:
        return _forget(number)
    if answer.ok:
        flash(_(success), "success")
        return redirect(url_for("web.complaint", number=number), 303)
    errors = {f"{form_name}.{k}": v for k, v in field_messages(answer, form_name).items()}
    errors[form_name] = problem(answer)
    return complaint(number, errors=errors, status=answer.status if answer.status in (409, 413, 415) else 400)


@web.post("/complaints/<number>/remarks")
def add_remark(number: str):
    return _act(
        number,
        "/remarks",
        "remark",
        success="complaint.remark.done",
        json={"text": request.form.get("text", "")},
    )


@web.post("/complaints/<number>/documents")
@bodies.accepts_uploads(uploads.document_bytes)
def add_document(number: str):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return complaint(number, errors={"document": _("field.file.error")}, status=400)
    return _act(
        number,
        "/documents",
        "document",
        success="complaint.document.done",
        files={"file": (upload.filename, upload.stream, upload.mimetype)},
    )


@web.post("/complaints/<number>/feedback")
def rate(number: str):
    satisfaction = request.form.get("satisfaction", "")
    body = {
        "satisfaction": int(satisfaction) if satisfaction.isdigit() else satisfaction,
        "outcome": request.form.get("outcome", ""),
        "comment": optional(request.form.get("comment")),
    }
    return _act(number, "/feedback", "rating", success="complaint.rating.done", json=body)


@web.post("/complaints/<number>/reopen")
def reopen(number: str):
    return _act(
        number,
        "/reopen",
        "reopen",
        success="complaint.reopen.done",
        json={"reason": request.form.get("reason", "")},
    )


@web.get("/complaints/<number>/documents/<document_id>")
@web.get("/complaints/<number>/documents/<document_id>/<any(thumb, display):name>")
def document(number: str, document_id: str, name: str | None = None):
    """A document as it was sent, or a photo's thumbnail or display copy."""
    token = _token(number)
    if token is None:
        return redirect(url_for("web.track", number=number))
    path = f"/api/v1/complaints/{number}/documents/{document_id}" + (f"/{name}" if name else "")
    return download("tracking", path, token)
