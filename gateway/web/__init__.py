"""The web pages: citizens file and follow complaints, staff treat them; on top of the public API.

Pages are rendered on the server (no script at all), in French, Arabic (right to left) or English,
with CSRF tokens on every form, a strict Content-Security-Policy and Jinja's escaping of all text.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Blueprint, Flask, g, render_template, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature
from werkzeug.exceptions import HTTPException

from common import config
from gateway.web import i18n

web = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/static"
)
csrf = CSRFProtect()
LANGUAGE_COOKIE = "lang"
YEAR = 365 * 24 * 3600
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


@web.before_request
def _language() -> None:
    g.lang = i18n.choose(
        request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE), request.accept_languages
    )


@web.after_request
def _headers(response):
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
    return {"lang": lang, "dir": i18n.direction(lang), "languages": i18n.LANGUAGES}


@web.errorhandler(HTTPException)
def _error_page(exc: HTTPException):
    """A page's error as a page (the API's errors stay JSON): not found, a stale form, unavailable."""
    status = exc.code or 500
    key = {
        400: "error.stale_form",
        404: "error.not_found",
        413: "error.too_large",
        503: "error.unavailable",
    }.get(status, "error.invalid")
    return render_template("error.html", status=status, message=i18n.gettext(key)), status


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
        if request.path.startswith(("/api/", "/open311/", "/health", "/metrics")):
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
