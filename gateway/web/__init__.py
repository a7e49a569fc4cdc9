"""The web pages: citizens file and follow complaints, staff treat them; on top of the public API.

Pages are rendered on the server (no script at all), in French, Arabic (right to left) or English,
with CSRF tokens on every form, a strict Content-Security-Policy and Jinja's escaping of all text.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Blueprint, Flask, current_app, request
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature
from werkzeug.exceptions import HTTPException

from common import config
from common.errors import http_headers

# The page modules join the blueprint as they are imported: citizens', staff's, and what they share.
from gateway.web import (  # noqa: F401
    alerts,
    citizen,
    filing,
    filters,
    i18n,
    maps,
    reports,
    staff,
    staff_admin,
    staff_answers,
    staff_map,
)
from gateway.web.shared import (
    error_page,
    is_page,
    secure_cookies,
    web,
)

csrf = CSRFProtect()


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


def install(app: Flask, api_blueprints: list[Blueprint]) -> None:
    """Serve the pages from the gateway app: sessions encrypted with SECRET_KEY, CSRF on the forms."""
    app.config.update(
        SECRET_KEY=config.settings().secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies(),
        SESSION_COOKIE_NAME="complaints_session",
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the session
        WTF_CSRF_SSL_STRICT=False,
    )
    app.session_interface = PagesOnlySession()
    csrf.init_app(app)
    # Globals, unlike context, reach the macros templates import.
    app.jinja_env.globals.update(
        _=i18n.gettext, _n=i18n.ngettext, query_with=filters.query_with, answer_groups=filters.answer_groups
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
