"""What the citizen's and the staff's pages share: the blueprint, the language, the error pages,
the forms' messages, the catalogue's names, documents passed through, and the public figures.

Every page module joins the blueprint `web` defined here; nothing here knows whose page it is.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException

from common import config, uploads
from gateway.web import charts, i18n
from gateway.web.upstream import Answer, call

_ = i18n.gettext

web = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/static"
)
LANGUAGE_COOKIE = "lang"
YEAR = 365 * 24 * 3600
# Addresses that answer JSON (or Prometheus' text): everything else is a page.
API_PREFIXES = ("/api/", "/open311/", "/health", "/metrics")
# nginx's own error pages: no script, no map.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def page_policy() -> str:
    """Return the pages' Content-Security-Policy: scripts and requests to the gateway's own origin
    only (Leaflet and map.js, gateway/web/maps.py), images from it and from the tile server only."""
    return (
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
        f"img-src 'self' data: {tile_source(config.settings().map_tiles_url)}; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )


def tile_source(url: str) -> str:
    """Return the CSP source of a tile server's URL: its origin, `{s}`'s host a wildcard."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    labels = host.split(".")
    for n, label in enumerate(labels):
        if "{s}" in label:  # CSP's wildcard stands for the leftmost labels only
            host = ".".join(["*", *labels[n + 1 :]])
            break
    return f"{scheme}://{host}"


@web.before_app_request
def _language() -> None:
    if not is_page(request.path):
        return
    g.lang = i18n.choose(
        request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE), request.accept_languages
    )


@web.after_app_request
def _headers(response):
    if not is_page(request.path):
        return response
    response.headers["Content-Security-Policy"] = page_policy()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    if request.args.get("lang") in i18n.LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, g.lang, max_age=YEAR, samesite="Lax", httponly=True, secure=secure_cookies()
        )
    return response


@web.app_context_processor
def _template_context() -> dict:
    lang = g.get("lang", i18n.DEFAULT)
    return {"lang": lang, "dir": i18n.direction(lang), "languages": i18n.LANGUAGES, "here": _here()}


def _here() -> str:
    """Return the address of the page shown, for its language links.

    A refused form is shown at the address it was sent to (/complaints/X/remarks): its language
    links go to the page the form belongs to (/complaints/X), which answers a GET.
    """
    path = request.path
    if request.method == "GET":
        return path
    adapter = current_app.url_map.bind("")
    while path != "/":
        try:
            adapter.match(path, method="GET")
            return path
        except HTTPException:
            path = path.rsplit("/", 1)[0] or "/"
    return path


def is_page(path: str) -> bool:
    """Return whether an address is a page's (HTML), not the API's, Open311's or the operators' (JSON)."""
    return not path.startswith(API_PREFIXES)


ERROR_MESSAGES = {
    400: "error.stale_form",
    404: "error.not_found",
    405: "error.not_found",
    413: "error.too_large",
    503: "error.unavailable",
}


def error_page(status: int):
    """Return a page's error as a page, in the visitor's language: not found, a stale form, unavailable."""
    key = ERROR_MESSAGES.get(status, "error.unexpected" if status >= 500 else "error.invalid")
    message = i18n.gettext(key)
    return render_template("error.html", status=status, message=message), status


def secure_cookies() -> bool:
    """Return whether cookies go over HTTPS only: when the platform's public address is https."""
    return (config.settings().public_url or "").startswith("https://")


# ---- forms and the catalogue ----------------------------------------------------------------


def catalogue() -> dict:
    """Return the public catalogue (kinds, districts, categories), or an empty one when unavailable."""
    answer = call("intake", "GET", "/api/v1/catalog")
    return answer.body if answer.ok else {"kinds": [], "districts": [], "categories": []}


def names(entries: list[dict]) -> dict[str, str]:
    """Return the catalogue entries' names in the page's language, by code."""
    return {e["code"]: i18n.name(e.get("name"), e["code"]) for e in entries}


def problem(answer: Answer) -> str:
    """Return what to tell the user of a refused or failed call."""
    known = {
        401: "error.session",
        403: "error.forbidden",
        404: "error.not_found",
        409: "error.conflict",
        413: "error.too_large",
        415: "error.type",
        429: "error.too_many",
        503: "error.unavailable",
    }
    if answer.status == 400 and answer.field_errors():
        return _("form.has_errors")  # each field's own message says what to correct
    if answer.status == 415 and any(uploads.HEIC_REFUSED in why for why in answer.field_errors().values()):
        return _("error.heic")  # an iPhone's photo: how to send it as a JPEG
    text = _(known.get(answer.status, "error.invalid"))
    # The API says why a step is refused, in English: worth adding on an English page only.
    if answer.status == 409 and answer.message and g.get("lang") == "en":
        return f"{text} {answer.message}"
    return text


def field_messages(answer: Answer, form: str | None = None) -> dict[str, str]:
    """Return one translated message per refused field, named as the form names it.

    A form's own message for a field (`field.transition.reason.error`: the reason for rejecting)
    comes before the field's (`field.reason.error`: the reason for reopening).
    """
    errors = {}
    for field, _why in answer.field_errors().items():
        short = field.removeprefix("citizen.").removeprefix("location.")
        keys = [f"field.{form}.{short}.error"] if form else []
        key = next((k for k in [*keys, f"field.{short}.error"] if i18n.known(k)), "error.field")
        errors[short] = _(key)
    return errors


def optional(value: str | None) -> str | None:
    """Return a form's optional text trimmed, or None when it was left blank."""
    value = (value or "").strip()
    return value or None


# ---- documents ------------------------------------------------------------------------------


def download(service: str, path: str, token: str) -> Response:
    """Pass a document, a photo's copy or an export through, as the API gives it and lets it be cached."""
    answer = call(service, "GET", path, token=token, stream=True)
    if not answer.ok:
        abort(answer.status if answer.status in (401, 403, 404, 503) else 502)
    upstream = answer.response
    response = Response(upstream.iter_content(64 * 1024), status=200)
    for header in ("Content-Type", "Content-Disposition", "Content-Length", "Cache-Control", "ETag"):
        if header in upstream.headers:
            response.headers[header] = upstream.headers[header]
    return response


# ---- the public figures ---------------------------------------------------------------------


def figures_context(args) -> dict:
    """Return the figures for the page's filters, their charts, and the catalogue for the filters."""
    filters = {key: (args.get(key) or "").strip() for key in ("district", "category", "from", "to")}
    answer = call("feedback", "GET", "/api/v1/stats", params={k: v for k, v in filters.items() if v})
    catalog = catalogue()
    figures = answer.body if answer.ok else None
    errors = field_messages(answer) if answer.status == 400 else {}
    for month in {"from", "to"} & set(errors):  # a month mistyped, or the period upside down
        both = all(re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", filters[key]) for key in ("from", "to"))
        upside_down = month == "to" and both and filters["from"][:7] > filters["to"][:7]
        errors[month] = _("field.period.error" if upside_down else "field.month.error")
    return {
        "filters": filters,
        "figures": figures,
        "errors": errors,
        "error": None if answer.ok else problem(answer),
        "charts": charts.for_figures(figures) if figures else None,
        "districts": names(catalog["districts"]),
        "categories": names(catalog["categories"]),
    }


@web.get("/figures")
def figures():
    """Show the public quality figures, for a district, a category and a period when asked."""
    return render_template("citizen/figures.html", **figures_context(request.args))
