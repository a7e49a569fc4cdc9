"""The filing form: a complaint filed from the citizen's page, after the complaints already reported there."""

from __future__ import annotations

import json
import re

from flask import g, redirect, render_template, request, session, url_for

from common import bodies, photos, uploads
from common.vocabulary import DEFAULT_LANGUAGE
from gateway.web import i18n
from gateway.web.shared import catalogue, field_messages, names, optional, problem, web
from gateway.web.upstream import call

_ = i18n.gettext


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
