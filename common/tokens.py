"""Signed, expiring bearer tokens (itsdangerous), each for one purpose."""

from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from common import config
from common.errors import Unauthorized


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config.secret_key(), salt=purpose)


def issue(purpose: str, payload: dict) -> str:
    """Return a token carrying the payload, valid for this purpose only."""
    return _serializer(purpose).dumps(payload)


def verify(purpose: str, token: str, max_age: int) -> dict:
    """Return the payload of a valid token, or raise Unauthorized."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise Unauthorized("The access token has expired.") from exc
    except BadSignature as exc:
        raise Unauthorized("The access token is not valid.") from exc


def bearer(header: str | None) -> str:
    """Return the token of an Authorization header, or raise Unauthorized."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("A bearer access token is required.")
    return token.strip()
