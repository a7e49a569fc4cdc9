"""The administrators' back office: staff members, the catalogue and Open311 API keys."""

from __future__ import annotations

import json

from flask import flash, redirect, request, url_for

from common.vocabulary import DEFAULT_LANGUAGE, Role
from gateway.web import i18n
from gateway.web.shared import catalogue, field_messages, names, optional, problem, web
from gateway.web.staff import admin_only, api, flash_refusal, render
from gateway.web.upstream import Answer

_ = i18n.gettext
ROLES = tuple(Role)


@web.get("/staff/members")
@admin_only
def staff_members(errors: dict | None = None, status: int = 200):
    answer = api("tracking", "GET", "/api/v1/staff/members")
    return render(
        "staff/members.html",
        status,
        members=answer.body["items"] if answer.ok else [],
        districts=names(catalogue()["districts"]),
        roles=ROLES,
        errors=errors or {},
        values=request.form if errors else {},
    )


def _member_fields(form, *, creating: bool) -> dict:
    data = {
        "role": form.get("role", ""),
        "districts": form.getlist("districts"),
        "name": optional(form.get("name")),
        "email": optional(form.get("email")),
        "department": optional(form.get("department")),
        "language": form.get("language") or DEFAULT_LANGUAGE,
    }
    if creating:
        data["username"] = form.get("username", "").strip()
    if creating or optional(form.get("password")):
        data["password"] = form.get("password", "")
    if not creating:
        data["active"] = form.get("active") == "yes"
    return data


def _member_messages(answer: Answer) -> dict[str, str]:
    """Return each refused field's message; a password's with the API's advice on what to choose."""
    messages = field_messages(answer)
    advice = answer.field_errors().get("password")
    if "password" in messages and advice:  # why zxcvbn finds it easy to guess, in English
        messages["password"] = f"{messages['password']} {' '.join(advice)}"
    return messages


@web.post("/staff/members")
@admin_only
def staff_member_create():
    answer = api(
        "tracking", "POST", "/api/v1/staff/members", json=_member_fields(request.form, creating=True)
    )
    if answer.ok:
        flash(_("staff.members.created", username=answer.body["username"]), "success")
        return redirect(url_for("web.staff_members"), 303)
    errors = {f"new.{k}": v for k, v in _member_messages(answer).items()}
    errors["new"] = problem(answer)
    return staff_members(errors=errors, status=answer.status if answer.status == 409 else 400)


@web.post("/staff/members/<username>")
@admin_only
def staff_member_change(username: str):
    answer = api(
        "tracking",
        "PATCH",
        f"/api/v1/staff/members/{username}",
        json=_member_fields(request.form, creating=False),
    )
    if answer.ok:
        flash(_("staff.members.changed", username=username), "success")
        return redirect(url_for("web.staff_members"), 303)
    flash_refusal(username, answer, _member_messages(answer))
    return redirect(url_for("web.staff_members"), 303)


@web.get("/staff/catalog")
@admin_only
def staff_catalog(errors: dict | None = None, status: int = 200):
    answer = api("intake", "GET", "/api/v1/staff/catalog")
    return render(
        "staff/catalog.html",
        status,
        catalog=answer.body if answer.ok else {"districts": [], "categories": []},
        errors=errors or {},
        values=request.form if errors else {},
    )


def _entry_fields(form, kind: str, *, creating: bool) -> dict:
    data: dict = {"name": {lang: form.get(f"name_{lang}", "").strip() for lang in i18n.LANGUAGES}}
    if creating:
        data["code"] = form.get("code", "").strip()
    else:
        data["active"] = form.get("active") == "yes"
    boundary = form.get("boundary", "").strip()
    if kind == "districts" and (boundary or not creating):  # emptied on a change: no boundary now
        data["boundary"] = _geojson(boundary)
    if kind == "categories":
        data["department"] = form.get("department", "").strip()
        for key in ("ack_days", "answer_days"):
            value = form.get(key, "").strip()
            data[key] = int(value) if value.isdigit() else value
    return data


def _geojson(text: str):
    """Return a typed boundary: its GeoJSON object, None when empty, else the text for intake to refuse."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


@web.post("/staff/catalog/<kind>")
@admin_only
def staff_catalog_add(kind: str):
    answer = api(
        "intake",
        "POST",
        f"/api/v1/staff/catalog/{kind}",
        json=_entry_fields(request.form, kind, creating=True),
    )
    if answer.ok:
        flash(_("staff.catalog.added"), "success")
        return redirect(url_for("web.staff_catalog"), 303)
    errors = {f"{kind}.{k}": v for k, v in field_messages(answer).items()}
    errors[kind] = problem(answer)
    return staff_catalog(errors=errors, status=answer.status if answer.status == 409 else 400)


@web.post("/staff/catalog/<kind>/<code>")
@admin_only
def staff_catalog_change(kind: str, code: str):
    data = _entry_fields(request.form, kind, creating=False)
    answer = api("intake", "PATCH", f"/api/v1/staff/catalog/{kind}/{code}", json=data)
    if answer.ok:
        flash(_("staff.catalog.changed"), "success")
    else:
        flash_refusal(code, answer)
    return redirect(url_for("web.staff_catalog"), 303)


@web.get("/staff/open311-keys")
@admin_only
def staff_keys(issued: dict | None = None, errors: dict | None = None, status: int = 200):
    answer = api("intake", "GET", "/api/v1/staff/open311-keys")
    keys = answer.body["items"] if answer.ok else []
    return render("staff/keys.html", status, keys=keys, issued=issued, errors=errors or {})


@web.post("/staff/open311-keys")
@admin_only
def staff_key_issue():
    answer = api("intake", "POST", "/api/v1/staff/open311-keys", json={"name": request.form.get("name", "")})
    if answer.ok:  # shown on this page only: the key is never kept, not even in the session
        return staff_keys(issued=answer.body, status=201)
    return staff_keys(errors={"name": _("error.field"), "form": problem(answer)}, status=400)


@web.post("/staff/open311-keys/<key_id>/revoke")
@admin_only
def staff_key_revoke(key_id: str):
    answer = api("intake", "DELETE", f"/api/v1/staff/open311-keys/{key_id}")
    flash(_("staff.keys.revoked") if answer.ok else problem(answer), "success" if answer.ok else "error")
    return redirect(url_for("web.staff_keys"), 303)
