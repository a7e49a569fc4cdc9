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


STAFF_PURPOSE = "staff"
ALL_DISTRICTS = "*"


def staff_token_ttl() -> int:
    """Return how long a staff member's token lasts, in seconds."""
    return config.get_int("STAFF_TOKEN_TTL", 8 * 3600)


def issue_staff(username: str, role: str, districts: list[str]) -> str:
    """Return a signed token for a staff member."""
    return issue(STAFF_PURPOSE, {"sub": username, "role": role, "districts": districts})


def staff_claims(authorization: str | None) -> dict:
    """Return the claims of a valid staff token, or raise Unauthorized."""
    return verify(STAFF_PURPOSE, bearer(authorization), staff_token_ttl())


def require_role(claims: dict, *roles: str) -> None:
    """Raise Forbidden unless the staff member has one of these roles."""
    from common.errors import Forbidden

    if claims.get("role") not in roles:
        raise Forbidden("Your role does not allow this action.")


def covers_district(claims: dict, district: str) -> bool:
    """Return whether the staff member works for this district."""
    districts = claims.get("districts") or []
    return ALL_DISTRICTS in districts or district in districts
