"""The alerts for a place: ask for the new public reports around a point or in a district, by email.

`/alerts` is the form (prefilled from `lat`, `lon`, `radius` and `district` in its address, as the
public reports page links to it); `/alerts/confirm` and `/alerts/unsubscribe` are the pages of the
links emailed to the address, whose button acts (a mail scanner opening a link does nothing). No
script needed: the place is a district chosen in the catalogue's list, or a point with its radius,
typed as on the filing form (filing.coordinate) or tapped on its map where script runs.
"""

from __future__ import annotations

import math

from flask import flash, g, redirect, render_template, request, url_for

from common.vocabulary import Frequency
from gateway.web import i18n
from gateway.web.filing import coordinate
from gateway.web.shared import catalogue, field_messages, names, problem, web
from gateway.web.upstream import call

_ = i18n.gettext

RADIUS = (100, 5000, 500)  # the least, the most, and the form's first choice, in metres
FIELDS = ("email", "language", "frequency", "area", "district", "lat", "lon", "radius")


def _number(text: str) -> float | str:
    """Return a typed radius as a number; the text itself when it is none (the API names it)."""
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _values(source) -> dict[str, str]:
    values = {name: (source.get(name) or "").strip()[:254] for name in FIELDS}
    values["language"] = values["language"] if values["language"] in i18n.LANGUAGES else g.lang
    values["frequency"] = values["frequency"] or Frequency.EACH
    if values["area"] not in ("district", "point"):
        values["area"] = "point" if values["lat"] or values["lon"] else "district"
    values["radius"] = values["radius"] or str(RADIUS[2])
    return values


def _body(values: dict[str, str]) -> dict:
    body: dict = {key: values[key] for key in ("email", "language", "frequency")}
    if values["area"] == "district":
        body["district"] = values["district"]
    else:
        radius = _number(values["radius"])
        body.update(lat=coordinate(values["lat"]), lon=coordinate(values["lon"]))
        body["radius_m"] = int(radius) if isinstance(radius, float) and radius.is_integer() else radius
    return body


def _form(values: dict, errors: dict, status: int = 200):
    districts = sorted(names(catalogue()["districts"]).items(), key=lambda entry: entry[1])
    return render_template(
        "citizen/alerts.html", values=values, errors=errors, districts=districts, radius=RADIUS
    ), status


@web.route("/alerts", methods=["GET", "POST"])
def alerts():
    """Show the form, or send it: a link to confirm is emailed, whatever the address."""
    if request.method == "GET":
        return _form(_values(request.args), {})
    values = _values(request.form)
    answer = call("tracking", "POST", "/api/v1/alerts", json=_body(values))
    if answer.status == 202:
        flash(_("alerts.sent"), "success")
        return redirect(url_for("web.alerts"), 303)
    errors = field_messages(answer, "alerts") if answer.status == 400 else {}
    if "radius_m" in errors:
        errors["radius"] = errors.pop("radius_m")
    errors["form"] = problem(answer)
    return _form(values, errors, answer.status if answer.status in (429, 503) else 400)


@web.route("/alerts/confirm", methods=["GET", "POST"])
def alerts_confirm():
    """Confirm a request for alerts, from the link emailed to the address."""
    return _emailed_link("alerts.confirm", "/api/v1/alerts/confirm", done="alerts.confirmed")


@web.route("/alerts/unsubscribe", methods=["GET", "POST"])
def alerts_unsubscribe():
    """Stop an alert, from the link in each of its emails."""
    return _emailed_link("alerts.unsubscribe", "/api/v1/alerts/unsubscribe", done="alerts.unsubscribed")


def _emailed_link(words: str, api_path: str, *, done: str):
    """Show the page of an emailed link, whose button calls the API with its token (as following's)."""
    token = (request.values.get("token") or "")[:500]
    page = {"number": None, "token": token, "words": words, "action": request.endpoint}
    if request.method == "GET":
        return render_template("citizen/emailed_link.html", **page, error=None)
    answer = call("tracking", "POST", api_path, json={"token": token})
    if answer.ok:
        flash(_(done), "success")
        return redirect(url_for("web.alerts"), 303)
    if answer.status in (400, 401, 404):
        error = _(f"{words}.invalid")
    else:
        error = _("alerts.too_many") if answer.status == 409 else problem(answer)
    status = answer.status if answer.status in (404, 409) else 400
    return render_template("citizen/emailed_link.html", **page, error=error), status
