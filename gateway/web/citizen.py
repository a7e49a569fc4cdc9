"""The citizen's pages: file a complaint (or follow one already reported), track it and act on it."""

from __future__ import annotations

import json
import re

from flask import Response, abort, flash, g, redirect, render_template, request, session, url_for

from common import bodies, photos, uploads
from common.vocabulary import DEFAULT_LANGUAGE
from gateway.web import i18n
from gateway.web.shared import catalogue, download, field_messages, names, optional, problem, web
from gateway.web.upstream import call

_ = i18n.gettext


# ---- filing ---------------------------------------------------------------------------------

# A coordinate as people type it: degrees with a dot or a comma as the decimal mark. Anything else
# (words, exponents, NaN, inf, a long string) goes to the API as text, which refuses it by name.
COORDINATE = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d{1,15})?$")
# Two coordinates pasted in one box, as map applications copy them: "33.5731, -7.5898",
# "33,5731; -7,5898" or "33.5731 -7.5898".
PAIR = re.compile(r"\s*;\s*|,\s+|\s+")


def coordinate(text: str) -> float | str:
    """Return a typed coordinate as a number, or the text as it is when it is not one."""
    return float(text.replace(",", ".")) if COORDINATE.match(text) else text


def location(form) -> dict | None:
    """Return the point the citizen typed, as the API takes it (None when both boxes are blank).

    The pair copied from a map application may be pasted whole in the first box.
    """
    lat, lon = (form.get(name, "").strip()[:100] for name in ("lat", "lon"))
    if lat and not lon:
        parts = [p for p in PAIR.split(lat) if p]
        if len(parts) == 1 and lat.count(",") == 1 and "." in lat:  # "33.5731,-7.5898"
            parts = lat.split(",")
        if len(parts) == 2:
            lat, lon = (p.strip() for p in parts)
    if not lat and not lon:
        return None
    return {name: coordinate(value) for name, value in (("lat", lat), ("lon", lon)) if value}


@web.get("/")
def home():
    values = {"language": g.lang, "kind": "complaint"}
    return render_template("citizen/home.html", catalog=catalogue(), values=values, errors={})


@web.post("/")
@bodies.accepts_uploads(uploads.submission_bytes)
def file_complaint():
    form = request.form
    complaint = {
        "kind": form.get("kind", ""),
        "category": form.get("category", ""),
        "district": optional(form.get("district")),
        "subject": form.get("subject", "").strip(),
        "description": form.get("description", "").strip(),
        "address": optional(form.get("address")),
        "location": location(form),
        "citizen": {
            "name": optional(form.get("name")),
            "email": form.get("email", "").strip(),
            "phone": optional(form.get("phone")),
            "language": form.get("language") or DEFAULT_LANGUAGE,
        },
        "consent": form.get("consent") == "yes",
        "publish": form.get("publish") == "yes",  # a choice of its own, never implied by `consent`
    }
    found = already_reported(complaint, _photo_point()) if form.get("checked") != "yes" else []
    if found and complaint["consent"]:  # it would be filed: shown first, follow one or send it again
        return _form_again(form, {}, found, 200)
    files = [
        ("documents", (f.filename, f.stream, f.mimetype))
        for f in request.files.getlist("documents")
        if f.filename
    ]
    answer = call(
        "intake",
        "POST",
        "/api/v1/complaints",
        data={"complaint": json.dumps(complaint)},
        files=files or None,
    )
    if answer.status == 201:
        session["receipt"] = answer.body
        return redirect(url_for("web.submitted"), 303)
    errors = field_messages(answer)
    if "district" in errors and complaint["location"]:
        errors["district"] = _("field.district.far")
    if "location" in errors:  # a point outside the city: said beside its first box
        errors["lat"] = errors.pop("location")
    if answer.status in (409, 413, 415):
        errors["documents"] = problem(answer)
    if not errors:
        errors["form"] = problem(answer)
    return _form_again(form, errors, found, 400)


def _form_again(form, errors: dict, nearby: list[dict], status: int):
    """Show the filing form again as it was typed, with its errors and the complaints already reported.

    Once shown them, the citizen's next sending files the complaint (`checked`).
    """
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    values.update({k: values[k][:100] for k in ("lat", "lon") if k in values})  # what the boxes hold
    if nearby:
        values["checked"] = "yes"
    catalog = catalogue()
    context = {
        "catalog": catalog,
        "values": values,
        "errors": errors,
        "nearby": nearby,
        "attached": any(f.filename for f in request.files.getlist("documents")),
        "categories": names(catalog["categories"]),
        "districts": names(catalog["districts"]),
    }
    return render_template("citizen/home.html", **context), status


def _photo_point() -> dict | None:
    """Return the position the first attached photo carries, as intake will read it (or None)."""
    for upload in request.files.getlist("documents"):
        head = upload.stream.read(3)
        upload.stream.seek(0)  # sent on to intake whole
        if upload.filename and head == b"\xff\xd8\xff":  # a JPEG, as intake tells it by its content
            point = photos.gps_point(upload.stream)
            upload.stream.seek(0)
            if point:
                return point
    return None


def already_reported(complaint: dict, photo_point: dict | None = None) -> list[dict]:
    """Return the open complaints of the same category near its point or at its address (or none).

    The point is the one the complaint will end with: the typed one, else the photo's.
    """
    query = {"category": complaint["category"]}
    point = complaint.get("location") or photo_point or {}
    if all(isinstance(point.get(k), float) for k in ("lat", "lon")):
        query.update(lat=point["lat"], lon=point["lon"])
    if complaint.get("address") and complaint.get("district"):
        query.update(address=complaint["address"], district=complaint["district"])
    if not query["category"] or len(query) == 1:
        return []
    answer = call("tracking", "GET", "/api/v1/complaints/nearby", params=query)
    return answer.body["items"] if answer.ok else []  # a check that fails must not stop a filing


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
def document(number: str, document_id: str):
    token = _token(number)
    if token is None:
        return redirect(url_for("web.track", number=number))
    return download("tracking", f"/api/v1/complaints/{number}/documents/{document_id}", token)
