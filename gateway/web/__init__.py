"""The web pages: citizens file and follow complaints, staff treat them; on top of the public API.

Pages are rendered on the server (no script at all), in French, Arabic (right to left) or English,
with CSRF tokens on every form, a strict Content-Security-Policy and Jinja's escaping of all text.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Blueprint, Flask, current_app, g, render_template, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature
from werkzeug.exceptions import HTTPException

from common import config
from common.errors import http_headers
from gateway.web import i18n

web = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/static"
)
csrf = CSRFProtect()
LANGUAGE_COOKIE = "lang"
YEAR = 365 * 24 * 3600
# Addresses that answer JSON (or Prometheus' text): everything else is a page.
API_PREFIXES = ("/api/", "/open311/", "/health", "/metrics")
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


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
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    if request.args.get("lang") in i18n.LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, g.lang, max_age=YEAR, samesite="Lax", httponly=True, secure=_secure()
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


class EncryptedSerializer:
    """The session's content encrypted and authenticated (Fernet: AES and HMAC, keys from SECRET_KEY).

    A signed cookie can be read by whoever holds it, and the staff's session carries their API
    token: the cookie must show nothing, and a changed one is refused as a bad signature.
    """

    def __init__(self, secret: str):
        key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"complaints pages session")
        self.fernet = Fernet(base64.urlsafe_b64encode(key.derive(secret.encode())))
        self.tagged = TaggedJSONSerializer()

    def dumps(self, value: dict) -> str:
        return self.fernet.encrypt(self.tagged.dumps(value).encode()).decode()

    def loads(self, value: str, max_age: int | None = None) -> dict:
        try:
            return self.tagged.loads(self.fernet.decrypt(value.encode(), ttl=max_age).decode())
        except (InvalidToken, ValueError) as exc:
            raise BadSignature("not a session of this platform") from exc


class PagesOnlySession(SecureCookieSessionInterface):
    """The encrypted session cookie, opened for the pages only: the JSON API and health never read it."""

    def open_session(self, app: Flask, request):
        if not is_page(request.path):
            return self.null_session_class()
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask) -> EncryptedSerializer | None:
        if not app.secret_key:
            return None
        if getattr(self, "_serializer_for", None) != app.secret_key:
            self._serializer, self._serializer_for = EncryptedSerializer(app.secret_key), app.secret_key
        return self._serializer


def _secure() -> bool:
    return (config.settings().public_url or "").startswith("https://")


def install(app: Flask, api_blueprints: list[Blueprint]) -> None:
    """Serve the pages from the gateway app: sessions encrypted with SECRET_KEY, CSRF on the forms."""
    from gateway.web import citizen, filters, staff, staff_answers  # noqa: F401  (their routes join the blueprint)

    app.config.update(
        SECRET_KEY=config.settings().secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_secure(),
        SESSION_COOKIE_NAME="complaints_session",
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the session
        WTF_CSRF_SSL_STRICT=False,
    )
    app.session_interface = PagesOnlySession()
    csrf.init_app(app)
    # Globals, unlike context, reach the macros templates import.
    app.jinja_env.globals.update(
        _=i18n.gettext, query_with=filters.query_with, answer_groups=filters.answer_groups
    )
    for blueprint in api_blueprints:
        csrf.exempt(blueprint)  # the JSON API uses bearer tokens, never cookies
    app.register_blueprint(web)
    _pages_errors_as_pages(app)


def _pages_errors_as_pages(app: Flask) -> None:
    """Answer a page's errors with a page (a mistyped address, a form's address opened, a failure).

    The API's errors keep the contract's JSON: these handlers hand them to the ones common/errors.py
    registered.
    """
    handlers = app.error_handler_spec[None][None]
    api_http, api_unexpected = handlers[HTTPException], handlers[Exception]

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if not is_page(request.path):
            return api_http(exc)
        return (*error_page(exc.code or 500), http_headers(exc))  # a 405's Allow too

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if not is_page(request.path):
            return api_unexpected(exc)
        current_app.logger.exception("unexpected error on a page")
        return error_page(500)
