"""Signed, expiring bearer tokens (itsdangerous), each for one purpose."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from common import config, mongo
from common.errors import Unauthorized


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return _serializer_for(config.settings().secret_key, purpose)


@functools.lru_cache(maxsize=64)
def _serializer_for(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    # Made once per key and purpose, all it holds: making one took 3 of the 23 µs of a signature.
    return URLSafeTimedSerializer(secret_key, salt=purpose)


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


EMAIL_LINK_PURPOSE = "email-link"


def email_link_ttl() -> int:
    """Return how long an emailed link opens its complaint, in seconds.

    By default 30 days more than the reopen window: the answer's link still works a month after
    the last day it says the citizen may reopen, and the acknowledgement's for the 60 days the
    administration has to answer.
    """
    settings = config.settings()
    return settings.email_link_ttl or (settings.reopen_window_days + 30) * 86400


def address_digest(email: str) -> str:
    """Return a keyed digest of an address, compared as tracking compares addresses (case-insensitive).

    Keyed with SECRET_KEY so that the link, whose payload anyone can read, does not let anyone
    confirm a guessed address.
    """
    normalized = email.strip().casefold()
    key = config.settings().secret_key.encode()
    digest = hmac.new(key, f"{EMAIL_LINK_PURPOSE}:{normalized}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def issue_email_link(number: str, email: str) -> str:
    """Return the token of an emailed link: this complaint, for this address, until email_link_ttl()."""
    return issue(EMAIL_LINK_PURPOSE, {"n": number, "a": address_digest(email)})


def email_link_opens(token: str, number: str, email: str) -> bool:
    """Return whether an emailed link's token is genuine, unexpired, and for this complaint and address."""
    try:
        claims = verify(EMAIL_LINK_PURPOSE, token, email_link_ttl())
    except Unauthorized:
        return False
    if not isinstance(claims, dict) or not email.strip():
        return False
    return claims.get("n") == number and hmac.compare_digest(
        str(claims.get("a", "")).encode(), address_digest(email).encode()
    )


UNFOLLOW_PURPOSE = "unfollow"
UNFOLLOW_TTL = 5 * 365 * 24 * 3600  # a link in an email: valid as long as the complaint may be


def issue_unfollow(number: str, follower: str) -> str:
    """Return the token of a follower's link to stop following: this complaint, this follower."""
    return issue(UNFOLLOW_PURPOSE, {"number": number, "follower": follower})


def unfollow_claims(token: str) -> dict:
    """Return the complaint and follower of a genuine, unexpired link to stop; else raise Unauthorized."""
    return verify(UNFOLLOW_PURPOSE, token, UNFOLLOW_TTL)


FOLLOW_PURPOSE = "follow-confirm"


def follow_confirm_ttl() -> int:
    """Return how long a request to follow a complaint waits for its confirmation, in seconds."""
    return config.settings().follow_confirm_ttl


def issue_follow_confirmation(number: str, follower: str) -> str:
    """Return the token of the link that confirms a request to follow: this complaint, this address."""
    return issue(FOLLOW_PURPOSE, {"number": number, "follower": follower})


def follow_confirmation_claims(token: str) -> dict:
    """Return the complaint and follower of a genuine, unexpired confirmation; else raise Unauthorized."""
    return verify(FOLLOW_PURPOSE, token, follow_confirm_ttl())


ALERT_CONFIRM_PURPOSE = "alert-confirm"
ALERT_UNSUBSCRIBE_PURPOSE = "alert-unsubscribe"


def issue_alert_confirmation(alert: str) -> str:
    """Return the token of the link that confirms a request for alerts: this subscription only."""
    return issue(ALERT_CONFIRM_PURPOSE, {"alert": alert})


def alert_confirmation_claims(token: str) -> dict:
    """Return the subscription of a genuine, unexpired confirmation; else raise Unauthorized."""
    return _alert_claims(ALERT_CONFIRM_PURPOSE, token, follow_confirm_ttl())


def issue_alert_unsubscribe(alert: str) -> str:
    """Return the token of a subscriber's link to stop an alert, as long-lived as a follower's."""
    return issue(ALERT_UNSUBSCRIBE_PURPOSE, {"alert": alert})


def alert_unsubscribe_claims(token: str) -> dict:
    """Return the subscription of a genuine link to stop; else raise Unauthorized."""
    return _alert_claims(ALERT_UNSUBSCRIBE_PURPOSE, token, UNFOLLOW_TTL)


def _alert_claims(purpose: str, token: str, max_age: int) -> dict:
    claims = verify(purpose, token, max_age)
    if not isinstance(claims, dict) or not isinstance(claims.get("alert"), str):
        raise Unauthorized("The access token is not valid.")
    return claims


STAFF_PURPOSE = "staff"
ALL_DISTRICTS = "*"
# The staff accounts, kept by tracking. Every service reads a member's current state there to
# check a staff token: the one collection read outside the service that owns it.
STAFF_ACCOUNTS = "tracking_staff"
_ACCOUNT_STATE = {"role": 1, "districts": 1, "active": 1, "token_generation": 1}
SESSION_ENDED = "This session has ended; sign in again."


def staff_token_ttl() -> int:
    """Return how long a staff member's token lasts, in seconds."""
    return config.settings().staff_token_ttl


def issue_staff(account: dict) -> str:
    """Return a signed token for a staff member, valid until their account's generation moves on."""
    return issue(STAFF_PURPOSE, {"sub": account["_id"], "gen": account.get("token_generation", 0)})


def staff_claims(authorization: str | None) -> dict:
    """Return the signed-in member's current role and districts, or raise Unauthorized.

    The token names the member and the generation of their account it was issued at; the account
    is read again (one read by _id) so that a deactivation, a change of role, districts or password,
    or a sign-out, which each move the generation on, ends every token issued before it at once.
    """
    claims = verify(STAFF_PURPOSE, bearer(authorization), staff_token_ttl())
    account = mongo.database()[STAFF_ACCOUNTS].find_one({"_id": claims.get("sub")}, _ACCOUNT_STATE)
    if (
        account is None
        or not account.get("active", True)
        or claims.get("gen") != account.get("token_generation", 0)
    ):
        raise Unauthorized(SESSION_ENDED)
    return {"sub": account["_id"], "role": account["role"], "districts": account["districts"]}


def require_role(claims: dict, *roles: str) -> None:
    """Raise Forbidden unless the staff member has one of these roles."""
    from common.errors import Forbidden

    if claims.get("role") not in roles:
        raise Forbidden("Your role does not allow this action.")


def covers_district(claims: dict, district: str) -> bool:
    """Return whether the staff member works for this district."""
    districts = claims.get("districts") or []
    return ALL_DISTRICTS in districts or district in districts
