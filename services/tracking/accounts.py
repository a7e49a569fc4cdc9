"""Staff accounts: Argon2id password hashes, signed tokens, the first administrator."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata

import requests
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pymongo.database import Database

from common import config, ratelimit, tokens, upstreams
from common.envelope import isoformat, utcnow
from common.errors import BadRequest, Conflict, NotFound, Unauthorized, Unavailable
from common.vocabulary import Language, Role
from services.tracking import events, staff_store

log = logging.getLogger(__name__)
# OWASP's Argon2id minimum (19 MiB, 2 passes): a login costs tens of milliseconds, not a process's memory.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_DUMMY_HASH = _hasher.hash("not a password of anyone")
BAD_LOGIN = "Unknown username or wrong password."
# zxcvbn's score from 0 to 4: 3 is "safely unguessable" against an online attacker, and more; an
# administrator, who can do everything, needs 4: "very unguessable", against an offline attack too.
MIN_PASSWORD_SCORE = 3
MIN_ADMIN_PASSWORD_SCORE = 4
# zxcvbn refuses to read more (ValueError): the first 72 characters are judged, the rest only adds.
_ZXCVBN_LENGTH = 72
# What an attacker of this platform tries first, beside the member's own names: the city and the
# country, in French, English and Arabic (script and transliterations), and the platform's words.
CITY_WORDS = (
    "casablanca", "casa", "dar bida", "dar el beida", "dar al bayda", "eddar elbeida", "kaza", "rabat",
    "maroc", "morocco", "marocain", "marocaine", "moroccan", "maghreb", "maghrib", "al maghrib",
    "el maghrib", "lmaghrib", "mghrib", "الدار البيضاء", "البيضاء", "كازا", "الرباط", "المغرب", "مغربي",
)  # fmt: skip
PLATFORM_WORDS = (
    "plainte", "plaintes", "réclamation", "réclamations", "complaint", "complaints", "claim", "claims",
    "suggestion", "arrondissement", "commune", "mairie", "municipalité", "wilaya", "chikaya", "admin",
    "administrateur", "administrator", "staff", "agent", "superviseur", "supervisor", "password",
    "motdepasse", "mot de passe", "شكاية", "شكايات", "تظلم", "الجماعة", "مقاطعة",
)  # fmt: skip
NEARBY_YEARS = 5
# What separates the words of a name or an address: each word is tried alone, and all run together.
_SEPARATORS = re.compile(r"[\s'’._@+-]+")
# zxcvbn keeps the user inputs in a module-wide dictionary: one check at a time per process.
_zxcvbn_lock = threading.Lock()


def hash_password(password: str) -> str:
    """Return the password's Argon2id hash."""
    return _hasher.hash(password)


def bootstrap_admin(db: Database) -> None:
    """Create the first administrator from ADMIN_USERNAME / ADMIN_PASSWORD when absent."""
    settings = config.settings()
    username, password = settings.admin_username, settings.admin_password
    if not password or staff_store.find_staff(db, username) is not None:
        return
    try:
        # Without the districts' names: at the first start, intake may not answer yet.
        check_password(password, username=username, email=settings.admin_email, admin=True)
    except BadRequest as weak:
        log.warning(
            "ADMIN_PASSWORD is easy to guess: change it after signing in",
            extra={"reason": weak.fields["password"][0]},
        )
    account = _account(
        username=username,
        password=password,
        role=Role.ADMIN,
        districts=[],
        created_by="ADMIN_USERNAME",
        email=settings.admin_email,
    )
    if staff_store.create_staff(db, account, [events.member_changed(account)]):
        log.info("first administrator created", extra={"username": username})


def _account(
    *,
    username,
    password,
    role,
    districts,
    created_by,
    name=None,
    email=None,
    department=None,
    language=Language.FR,
) -> dict:
    now = utcnow()
    return {
        "_id": username,
        "password_hash": hash_password(password),
        "role": role,
        "districts": [tokens.ALL_DISTRICTS] if role == Role.ADMIN else sorted(set(districts)),
        "name": name,
        "email": email,
        "department": department,
        "language": language,
        "active": True,
        "created_at": now,
        "created_by": created_by,
        "history": [{"at": now, "by": created_by, "action": "created", "role": role}],
    }


def login(db: Database, username: str, password: str, client: str) -> dict:
    """Return a signed token for valid credentials of an active member; else the same 401.

    Failed sign-ins are counted per account and client address (RATE_LOGIN_FAILURES) and per
    client address across accounts (RATE_LOGIN_CLIENT_FAILURES): past either, 429, even with the
    right password, until the window ends. Another client is not affected, so no one can lock the
    administrator out by failing on purpose.
    """
    username = username.strip().lower()
    limits = _login_limits(username, client)
    for limit, key in limits:
        ratelimit.check(db, limit, key)
    account = staff_store.find_staff(db, username)
    try:
        _hasher.verify(account["password_hash"] if account else _DUMMY_HASH, password)
        if account is None or not account.get("active", True):
            raise Unauthorized(BAD_LOGIN)
    except (VerificationError, InvalidHashError, Unauthorized):
        for limit, key in limits:
            ratelimit.take(db, limit, key)
        raise Unauthorized(BAD_LOGIN) from None
    for limit, key in limits:
        ratelimit.check_exact(db, limit, key)
    changes = {"last_login_at": utcnow()}
    if _hasher.check_needs_rehash(account["password_hash"]):
        changes["password_hash"] = hash_password(password)
    staff_store.update_staff(db, account["_id"], changes)
    return {
        "access_token": tokens.issue_staff(account),
        "expires_in": tokens.staff_token_ttl(),
        "role": account["role"],
        "districts": account["districts"],
        "username": account["_id"],
    }


def _login_limits(username: str, client: str) -> list[tuple[ratelimit.Limit, str]]:
    return [
        (ratelimit.login_failures(), f"{username}|{client}"),
        (ratelimit.login_client_failures(), client),
    ]


def logout(db: Database, username: str) -> None:
    """End every session of the member: the tokens issued until now are refused from now on."""
    staff_store.update_staff(db, username, {"last_logout_at": utcnow()}, revoke=True)


def _variants(text: str) -> list[str]:
    """Return a word as typed: lowercase, without accents, without spaces, and its longer words."""
    text = text.lower().strip()
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = [w for w in _SEPARATORS.split(plain) if len(w) >= 4]
    return [text, plain, _SEPARATORS.sub("", plain), *words]


def guessable_words(districts: dict[str, dict] | None = None, *, year: int | None = None) -> list[str]:
    """Return what an attacker of this platform tries first: city, country, districts, its words, years.

    `districts` are the catalogue's names by code, as intake serves them (none when it cannot say).
    """
    districts = districts or {}
    year = year or utcnow().year
    names = [n for code, name in districts.items() for n in (code, *name.values()) if n]
    found = [v for word in (*CITY_WORDS, *PLATFORM_WORDS, *names) for v in _variants(word)]
    found += [str(y) for y in range(year - NEARBY_YEARS, year + NEARBY_YEARS + 1)]
    return list(dict.fromkeys(found))


def _catalogue_or_none() -> dict[str, dict] | None:
    """Return the catalogue's districts when intake answers, else None (the city's words still count)."""
    try:
        return catalogue_districts()
    except Unavailable:
        return None


def check_password(
    password: str,
    *,
    username: str,
    name: str | None = None,
    email: str | None = None,
    admin: bool = False,
    districts: dict[str, dict] | None = None,
) -> None:
    """Refuse a password easy to guess here (zxcvbn): common, repetitive, the member's or the city's words.

    An administrator's needs zxcvbn's top score; `districts` as for `guessable_words`.
    """
    from zxcvbn import zxcvbn  # its word lists take 13 MB: loaded by the processes that check one

    own = [v for part in (username, name, email) if part for v in _variants(part)]
    with _zxcvbn_lock:
        found = zxcvbn(password[:_ZXCVBN_LENGTH], user_inputs=own + guessable_words(districts))
    if found["score"] < (MIN_ADMIN_PASSWORD_SCORE if admin else MIN_PASSWORD_SCORE):
        raise BadRequest(
            "Choose a password that is harder to guess.", fields={"password": [_advice(found, admin=admin)]}
        )


def _advice(found: dict, *, admin: bool) -> str:
    """Return why zxcvbn finds a password easy to guess, and what to choose instead."""
    advice = ["An administrator's password must be very hard to guess."] if admin else []
    if any(match.get("dictionary_name") == "user_inputs" for match in found["sequence"]):
        advice.append(
            "It contains a word tried first here: the city, the country, a district, the platform's"
            " words, a year, or the member's own names."
        )
    advice.append(found["feedback"]["warning"] or "It is too easy to guess.")
    advice.append("Use a few uncommon words, or a longer phrase.")
    return " ".join(dict.fromkeys(a for a in advice if a))


def list_members(db: Database) -> list[dict]:
    """Return every staff account, without password hashes."""
    return [member_view(account) for account in staff_store.list_staff(db)]


def member_view(account: dict) -> dict:
    """Return a staff account without its password hash."""
    return {
        "username": account["_id"],
        "role": account["role"],
        "districts": account["districts"],
        "name": account.get("name"),
        "email": account.get("email"),
        "department": account.get("department"),
        "language": account.get("language", Language.FR),
        "active": account.get("active", True),
        "created_at": isoformat(account["created_at"]),
        "last_login_at": isoformat(account["last_login_at"]) if account.get("last_login_at") else None,
    }


def catalogue_districts() -> dict[str, dict]:
    """Return the catalogue's active districts' names by code, as intake serves them."""
    try:
        answer = upstreams.call("intake", lambda base: requests.get(f"{base}/api/v1/catalog", timeout=5))
        answer.raise_for_status()
    except requests.RequestException as exc:
        raise Unavailable("The catalogue cannot be read now; try again shortly.") from exc
    return {d["code"]: d["name"] for d in answer.json()["districts"]}


def known_districts() -> set[str]:
    """Return the catalogue's district codes."""
    return set(catalogue_districts())


def _check_districts(role: str, districts: list[str]) -> None:
    if role == Role.ADMIN:
        return
    if not districts:
        raise BadRequest(
            "An agent or supervisor works for at least one district.",
            fields={"districts": ["at least one district"]},
        )
    unknown = sorted(set(districts) - known_districts())
    if unknown:
        raise BadRequest("Unknown districts.", fields={"districts": [f"unknown: {', '.join(unknown)}"]})


def create_member(db: Database, data: dict, *, by: str) -> dict:
    """Create a staff member; 409 when the username is taken."""
    _check_districts(data["role"], data["districts"])
    check_password(
        data["password"],
        username=data["username"],
        name=data["name"],
        email=data["email"],
        admin=data["role"] == Role.ADMIN,
        districts=_catalogue_or_none(),
    )
    account = _account(created_by=by, **data)
    if not staff_store.create_staff(db, account, [events.member_changed(account)]):
        raise Conflict("This username is taken.")
    return member_view(account)


# A change of any of these ends the member's sessions: they sign in again with their new rights.
REVOKING = ("password", "role", "districts", "active")


def change_member(db: Database, username: str, data: dict, *, by: str) -> dict:
    """Change a member's role, districts, details, password or active state."""
    current = staff_store.find_staff(db, username)
    if current is None:
        raise NotFound("No such staff member.")
    changes = {key: value for key, value in data.items() if key != "password"}
    role = changes.get("role", current["role"])
    if "password" in data:
        check_password(
            data["password"],
            username=username,
            name=changes.get("name", current.get("name")),
            email=changes.get("email", current.get("email")),
            admin=role == Role.ADMIN,
            districts=_catalogue_or_none(),
        )
        changes["password_hash"] = hash_password(data["password"])
    elif role == Role.ADMIN and current["role"] != Role.ADMIN:
        # Their password was judged by an agent's rule: an administrator is given one judged by theirs.
        raise BadRequest(
            "A member made administrator needs a new password.",
            fields={
                "password": ["Give one with the change of role: an administrator's is very hard to guess."]
            },
        )
    districts = changes.get("districts", current["districts"])
    if "role" in changes or "districts" in changes:
        _check_districts(role, [d for d in districts if d != tokens.ALL_DISTRICTS])
        changes["districts"] = [tokens.ALL_DISTRICTS] if role == Role.ADMIN else sorted(set(districts))
    now = utcnow()
    changes["updated_at"] = now
    audit = {"at": now, "by": by, "action": "changed", "fields": sorted(data)}
    event = events.member_changed({**current, **changes})
    # The back office's form sends every field: only what really changes ends the sessions.
    revoke = "password" in data or any(
        key in changes and changes[key] != current.get(key, True if key == "active" else None)
        for key in REVOKING
    )
    return member_view(staff_store.update_staff(db, username, changes, audit, [event], revoke=revoke))
