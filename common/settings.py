"""Every setting of the services and the gateway: one checked field per environment variable.

A blank variable is an unset one. Values are checked when a process starts (common/config.py):
one that is wrong stops it, named, rather than failing each request that reads it. The fields
are marshmallow's, the one validation library of the services.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

DEVELOPMENT_SECRET_KEY = "dev-only-secret-key-change-me"
# Keys published in this repository's files: never acceptable in production.
KNOWN_KEYS = {DEVELOPMENT_SECRET_KEY, "change-me-in-production"}
_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
# Where the messages of rules across variables are filed: they name their variables themselves.
RULES = "_schema"


@dataclass(frozen=True)
class Rate:
    """At most `count` events per window of `seconds` (a RATE_* variable: COUNT/SECONDS)."""

    count: int
    seconds: int


# ---- what each kind of value is, and what a wrong one is told ------------------------------------


def _text(default: str | None, description: str) -> fields.Field:
    return fields.String(load_default=default, metadata={"description": description})


def _whole(default: int | None, description: str, low: int, high: int | None = None) -> fields.Field:
    words = (
        f"expected a whole number from {low} to {high}"
        if high is not None
        else f"expected a whole number of {low} or more"
    )
    return fields.Integer(
        load_default=default,
        validate=validate.Range(low, high, error=words),
        error_messages={"invalid": words},
        metadata={"description": description},
    )


def _number(default: float, description: str, low: float, above: bool = True) -> fields.Field:
    """A number above `low`, or of `low` or more when not `above`; never infinite nor NaN."""
    words = f"expected a number above {low}" if above else f"expected a number of {low} or more"
    return fields.Float(
        load_default=default,
        allow_nan=False,
        validate=validate.Range(low, min_inclusive=not above, error=words),
        error_messages={"invalid": words, "special": words},
        metadata={"description": description},
    )


def _flag(default: bool, description: str) -> fields.Field:
    return fields.Boolean(
        load_default=default,
        error_messages={"invalid": "expected true or false (or 1/0, yes/no, on/off)"},
        metadata={"description": description},
    )


class _Parsed(fields.Field):
    """A value read by a function of ours, whose ValueError says what was expected."""

    def __init__(self, parse: Callable[[str], Any], default: Any, description: str) -> None:
        super().__init__(load_default=default, metadata={"description": description})
        self.parse = parse

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return self.parse(str(value))
        except ValueError as wrong:
            raise ValidationError(str(wrong)) from None


def _choice(*options: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        chosen = value.strip().lower()
        if chosen not in options:
            raise ValueError("expected " + " or ".join(repr(option) for option in options))
        return chosen

    return parse


def _log_level(value: str) -> str:
    level = value.strip().upper()
    if level not in logging.getLevelNamesMapping():
        raise ValueError("expected a log level: DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return level


def _is_url(url: str, schemes: tuple[str, ...]) -> bool:
    """Return whether the URL has one of these schemes and names a host."""
    parts = urlsplit(url)
    return parts.scheme in schemes and bool(parts.netloc)


def _url_words(schemes: tuple[str, ...]) -> str:
    return "expected a URL that starts with " + " or ".join(f"{scheme}://" for scheme in schemes)


def _url(*schemes: str) -> Callable[[str], str]:
    """A URL of one of these schemes, taken as written."""

    def parse(value: str) -> str:
        if not _is_url(value, schemes):
            raise ValueError(_url_words(schemes))
        return value

    return parse


def _base_url(value: str) -> str:
    """An http(s) address without its last slash."""
    url = value.strip().rstrip("/")
    if not _is_url(url, ("http", "https")):
        raise ValueError(_url_words(("http", "https")))
    return url


def _tiles_url(value: str) -> str:
    """A tile server's address: http(s), with {z}, {x} and {y} in it, and {s} in the host at most."""
    url = value.strip()
    if not _is_url(url.replace("{s}", "a"), ("http", "https")):
        raise ValueError(_url_words(("http", "https")))
    if any(part not in url for part in ("{z}", "{x}", "{y}")):
        raise ValueError("expected {z}, {x} and {y} in the address, where the tile's zoom and position go")
    if any(c in url for c in "'\" ;"):
        raise ValueError("expected a URL without quotes, spaces or semicolons")
    return url


def _urls(*schemes: str) -> Callable[[str], tuple[str, ...]]:
    """The URLs of a comma-separated list, each checked, without their last slash."""

    def parse(value: str) -> tuple[str, ...]:
        urls = tuple(url.strip().rstrip("/") for url in value.split(",") if url.strip())
        if not urls or not all(_is_url(url, schemes) for url in urls):
            raise ValueError(_url_words(schemes) + " (several: separated by commas)")
        return urls

    return parse


def _database(value: str) -> str:
    if len(value.encode()) > 63 or any(c in value for c in '/\\. "$'):
        raise ValueError('expected a database name: at most 63 bytes, none of / \\ . " $ or a space')
    return value


def _delays(value: str) -> tuple[int, ...]:
    steps = [step.strip() for step in value.split(",") if step.strip()]
    if not steps or not all(step.isdigit() for step in steps):
        raise ValueError(
            "expected seconds, whole numbers of 0 or more separated by commas, for example 1,5,30"
        )
    return tuple(int(step) for step in steps)


def _rate(value: str) -> Rate:
    match = _RATE.fullmatch(value)
    if not match:
        raise ValueError("write COUNT/SECONDS, for example 100/3600")
    rate = Rate(int(match[1]), int(match[2]))
    if rate.count < 1 or rate.seconds < 1:
        raise ValueError("write COUNT/SECONDS, both above 0, for example 100/3600")
    return rate


def _zone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("expected a time zone of the tz database, for example Africa/Casablanca") from None


def _email(value: str) -> str:
    if "@" not in value.strip("@"):
        raise ValueError("expected an email address")
    return value


def _mailbox(value: str) -> str:
    if "@" not in parseaddr(value)[1]:
        raise ValueError("expected an address, for example Réclamations <no-reply@example.org>")
    return value


def _file(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise ValueError("expected a file that exists")
    return path


def _rates(default: Rate, description: str) -> fields.Field:
    return _Parsed(_rate, default, description)


def _service(name: str, port: int) -> fields.Field:
    return _Parsed(
        _urls("http", "https"),
        (f"http://127.0.0.1:{port}",),
        f"where the {name} service is reached: one URL, or several separated by commas, taken in turn",
    )


class _Environment(Schema):
    """The variables, in lower case, in the order they are checked and their problems told."""

    # ---- the process --------------------------------------------------------------------------
    service_name = _text(
        "unknown",
        "the process's name in its logs, its metrics' labels and its connections to the store and broker "
        "(set by make run and docker-compose)",
    )
    environment = _Parsed(
        _choice("development", "production"),
        "development",
        "in production, every service refuses to start without a SECRET_KEY of 32 characters or more that "
        "is not one of the repository's defaults",
    )
    secret_key = _text(
        DEVELOPMENT_SECRET_KEY,
        "the key that signs access tokens and the rate limits' keys, and from which the pages' sessions' "
        "encryption key is derived",
    )
    log_level = _Parsed(
        _log_level, "INFO", "log level of every process (DEBUG, INFO, WARNING, ERROR, CRITICAL)"
    )
    host = _text("127.0.0.1", "the address a web process and a worker's probes (WORKER_PORT) listen on")
    port = _whole(8000, "where a web process listens: its port", 1, 65535)
    worker_port = _whole(
        0, "the port a service's worker process answers its probes and /metrics on (0: none)", 0, 65535
    )
    web_concurrency = _whole(2, "gunicorn workers per web process", 1)
    web_threads = _whole(4, "threads per gunicorn worker", 1)
    web_timeout = _whole(
        30, "seconds a gunicorn worker may spend on a request before it is restarted (0: no limit)", 0
    )
    worker_class = _text("gthread", "gunicorn's worker class")
    prometheus_multiproc_dir = _Parsed(
        Path,
        None,
        "the folder where a service's processes write their metrics, served together by each of them",
    )

    # ---- the store and the broker ---------------------------------------------------------------
    mongo_url = _Parsed(
        _url("mongodb", "mongodb+srv"),
        "mongodb://127.0.0.1:27017/",
        "the MongoDB server (mongodb:// or mongodb+srv://)",
    )
    mongo_db = _Parsed(_database, "complaints", "the database the services share")
    mongo_timeout_ms = _whole(
        3000, "how long a process waits to find the document store before an operation fails, in ms", 1
    )
    amqp_url = _Parsed(
        _urls("amqp", "amqps"),
        ("amqp://guest:guest@127.0.0.1:5672/%2F",),
        "the broker (amqp:// or amqps://; a cluster's nodes separated by commas)",
    )
    amqp_heartbeat = _whole(
        30,
        "the heartbeat interval, in seconds, the processes ask of the broker for their connections (0: none)",
        0,
    )
    events_exchange = _text("complaints.events", "the exchange every event goes through")
    queue_prefix = _text("complaints", "the prefix of the services' queues")
    retry_delays = _Parsed(
        _delays, (1, 5, 30), "a consumer's back-off, in seconds, one step per retry before dead-lettering"
    )
    consumer_concurrency = _whole(4, "events a service's worker handles at once (in order per complaint)", 1)
    prefetch = _whole(
        5, "unacknowledged messages a consumer holds at once (at least twice CONSUMER_CONCURRENCY)", 1
    )
    delivery_limit = _whole(20, "redeliveries of one message before the broker sets it aside", 1)
    outbox_sweep_seconds = _number(1.0, "how often the outbox relay sweeps", 0)
    outbox_grace_seconds = _number(
        2.0, "how old an event must be before the relay competes with its writer", 0, above=False
    )

    # ---- the gateway --------------------------------------------------------------------------
    gateway_port = _whole(8080, "the public port (the gateway's)", 1, 65535)
    intake_url = _service("intake", 8081)
    tracking_url = _service("tracking", 8082)
    notification_url = _service("notification", 8083)
    feedback_url = _service("feedback", 8084)
    upstream_pool = _whole(
        16, "idle connections nginx (each worker) and the gateway app keep to each service instance", 1
    )
    upstream_connect_timeout = _number(
        2.0, "seconds nginx and the gateway app wait to reach a service; then 503", 0
    )
    upstream_timeout = _number(
        15.0, "seconds nginx and the gateway app wait for each read of a service's answer; then 503", 0
    )
    public_url = _Parsed(
        _base_url,
        None,
        "the platform's address (http:// or https://): emails' links and Open311's discovery; https:// makes "
        "the pages' cookies secure and asks browsers for HTTPS only (default http://localhost:GATEWAY_PORT)",
    )
    timezone = _Parsed(
        _zone,
        ZoneInfo("Africa/Casablanca"),
        "the time zone the pages and the emails show times in, and the queue counts its days left in "
        "(a name of the tz database)",
    )
    map_tiles_url = _Parsed(
        _tiles_url,
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "the maps' tiles, a URL with {z}, {x} and {y} (and {s} for a host's a, b, c): the pages' script "
        "loads them from there, and their Content-Security-Policy allows images from that host only",
    )
    map_attribution = _text(
        "© OpenStreetMap contributors", "the maps' attribution, as the tile server's licence asks it (text)"
    )
    map_attribution_url = _text(
        "https://www.openstreetmap.org/copyright", "where the maps' attribution links to"
    )
    trusted_proxies = _whole(
        0,
        "reverse proxies in front of the gateway (the client is that many X-Forwarded-For entries before "
        "the end)",
        0,
    )

    # ---- requests -----------------------------------------------------------------------------
    # The largest legitimate JSON body is a staff transition with both notes and a reason full
    # (10,000 characters); written with \uXXXX escapes, as some clients do, that is 60 kB (120 kB if
    # every character is an escaped surrogate pair). 256 kB keeps twice that as a margin.
    max_json_bytes = _whole(256 * 1024, "the largest JSON or form body a route takes", 1)
    max_request_bytes = _whole(0, "when not 0, a cap on every route's body, uploads included", 0)
    max_document_bytes = _whole(10 * 1024 * 1024, "the size of one document, in bytes", 1)
    max_documents = _whole(10, "the number of documents a complaint may hold", 0)
    rate_tracking_failures = _rates(
        Rate(20, 600), "failed tracking attempts per client address and window of seconds (COUNT/SECONDS)"
    )
    rate_submissions = _rates(
        Rate(100, 3600), "complaints filed per client address and window (COUNT/SECONDS)"
    )
    rate_login_failures = _rates(
        Rate(10, 900), "failed staff sign-ins per account and client address, and window (COUNT/SECONDS)"
    )
    rate_login_client_failures = _rates(
        Rate(30, 900),
        "failed staff sign-ins per client address and window, whatever the accounts (COUNT/SECONDS)",
    )
    rate_open311_submissions = _rates(
        Rate(1000, 3600), "Open311 requests per API key and window (COUNT/SECONDS)"
    )
    rate_nearby = _rates(
        Rate(60, 600), "already-reported listings per client address and window (COUNT/SECONDS)"
    )
    rate_reports = _rates(
        Rate(300, 600), "public reports listed or read per client address and window (COUNT/SECONDS)"
    )
    tracking_token_ttl = _whole(3600, "lifetime of a citizen's token, in seconds", 1)
    staff_token_ttl = _whole(8 * 3600, "lifetime of a staff member's token, in seconds", 1)
    email_link_ttl = _whole(
        None,
        "lifetime of the link in a citizen's email that opens the complaint without typing the address, "
        "in seconds (default: 30 days more than REOPEN_WINDOW_DAYS)",
        1,
    )
    follow_confirm_ttl = _whole(
        3 * 86400,
        "how long a request to follow a complaint waits for the address to confirm it, in seconds: "
        "then it is forgotten",
        60,
    )

    # ---- complaints ---------------------------------------------------------------------------
    admin_username = _text("admin", "the first administrator's name, created at first start")
    admin_password = _text(None, "the first administrator's password")
    admin_email = _Parsed(
        _email,
        None,
        "the first administrator's address (for overdue alerts in districts without a supervisor)",
    )
    reopen_window_days = _whole(30, "how long after an answer a citizen may reopen, in days", 0)
    reopen_limit = _whole(3, "how many times a citizen may reopen", 0)
    jobs_interval_seconds = _number(
        60.0, "how often overdue deadlines are flagged and expired answers closed", 0
    )
    retention_days = _whole(
        730, "how long after closing a complaint keeps its citizen's personal data, in days", 1
    )
    retention_check_seconds = _number(
        86400.0, "how often the retention job looks for complaints past their retention", 0
    )
    feedback_settle_interval_seconds = _number(
        300.0, "how often the feedback worker finishes figures a stopped process left half-counted", 0
    )
    open311_api_key = _text(
        None, "an Open311 API key kept at every start (unless an administrator revoked it)"
    )
    open311_jurisdiction = _text(
        "casablanca", "the city's Open311 jurisdiction_id (a district code is accepted too)"
    )
    open311_placement_km = _number(
        10.0,
        "how far from the nearest district's centre a complaint with a point but no district (the "
        "citizen's, or an Open311 request) is still placed in it",
        0,
    )
    open311_contact = _text(
        None, "the contact of Open311's discovery document (default: PUBLIC_URL, and a phrase)"
    )

    # ---- mail ---------------------------------------------------------------------------------
    smtp_host = _text("127.0.0.1", "outgoing mail: the server")
    smtp_port = _whole(8025, "outgoing mail: the server's port", 1, 65535)
    smtp_user = _text(None, "outgoing mail: the account to log in with, if any")
    smtp_password = _text("", "outgoing mail: that account's password")
    smtp_ssl = _flag(False, "outgoing mail: speak TLS from the start (not with SMTP_STARTTLS)")
    smtp_starttls = _flag(False, "outgoing mail: upgrade a plain connection to TLS (not with SMTP_SSL)")
    smtp_ca_file = _Parsed(
        _file,
        None,
        "outgoing mail: the CA the server's certificate is verified against, when a private one",
    )
    smtp_timeout = _number(10.0, "seconds the notification worker waits on the mail server", 0)
    smtp_reuse_seconds = _number(
        20.0, "how long a worker keeps its SMTP connection open after its last message", 0, above=False
    )
    mail_from = _Parsed(
        _mailbox,
        "Réclamations Casablanca <no-reply@reclamations.localhost>",
        "outgoing mail: the From address",
    )
    mail_cap_per_hour = _whole(20, "the most emails one address receives in an hour", 0)

    @validates_schema(skip_on_field_errors=False)
    def _rules(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Check what holds across variables, also when others are wrong: every problem is told at once."""
        rules = []
        key = data.get("secret_key", "")
        if data.get("environment") == "production" and (key in KNOWN_KEYS or len(key) < 32):
            rules.append(
                "ENVIRONMENT=production needs SECRET_KEY: a random value of 32 characters or more "
                "(for example `openssl rand -hex 32`), not a default."
            )
        if data.get("smtp_ssl") and data.get("smtp_starttls"):
            rules.append(
                "SMTP_SSL and SMTP_STARTTLS are both true: choose one (SMTP_SSL speaks TLS from the start, "
                "SMTP_STARTTLS upgrades a plain connection)"
            )
        if rules:
            raise ValidationError(rules, RULES)


_SCHEMA = _Environment()


class Settings:
    """The environment of a service's or the gateway's process, checked: an attribute per variable.

    Read once as the process starts (Settings.read), then only read: an attribute cannot be set.
    """

    __slots__ = tuple(_SCHEMA.fields)
    # What each variable is, by attribute: README.md's table says the same.
    DESCRIPTIONS: dict[str, str] = {
        name: field.metadata["description"] for name, field in _SCHEMA.fields.items()
    }

    def __init__(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"the settings are frozen: {name.upper()} is read once, as the process starts")

    @classmethod
    def read(cls, environ: Mapping[str, str]) -> Settings:
        """Return the settings of this environment; raise ValidationError with every problem.

        The error's messages are by attribute (and RULES): each says what the value should be.
        """
        given = {name: environ[name.upper()] for name in cls.__slots__ if environ.get(name.upper())}
        return cls(_SCHEMA.load(given))
