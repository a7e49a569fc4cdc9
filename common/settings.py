"""Every setting of the services and the gateway: one typed field per environment variable.

A blank variable is an unset one. Values are checked when a process starts (common/config.py):
one that is wrong stops it, named, rather than failing each request that reads it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, FilePath, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "dev-only-secret-key-change-me"
# Keys published in this repository's files: never acceptable in production.
KNOWN_KEYS = {DEVELOPMENT_SECRET_KEY, "change-me-in-production"}
_RATE = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


class Rule(ValueError):
    """A wrong value whose message names its variables itself: it is shown as it is."""


@dataclass(frozen=True)
class Rate:
    """At most `count` events per window of `seconds` (a RATE_* variable: COUNT/SECONDS)."""

    count: int
    seconds: int


def _is_url(url: str, schemes: tuple[str, ...]) -> bool:
    """Return whether the URL has one of these schemes and names a host."""
    parts = urlsplit(url)
    return parts.scheme in schemes and bool(parts.netloc)


def _urls(value: object, schemes: tuple[str, ...]) -> object:
    """Return the URLs of a comma-separated list, each checked, without their last slash."""
    if not isinstance(value, str):
        return value
    urls = tuple(url.strip().rstrip("/") for url in value.split(",") if url.strip())
    if not urls or not all(_is_url(url, schemes) for url in urls):
        starts = " or ".join(f"{scheme}://" for scheme in schemes)
        raise ValueError(f"expected a URL that starts with {starts} (several: separated by commas)")
    return urls


class Settings(BaseSettings):
    """The environment of a service's or the gateway's process, checked."""

    model_config = SettingsConfigDict(
        env_ignore_empty=True, frozen=True, enable_decoding=False, allow_inf_nan=False
    )

    # ---- the process --------------------------------------------------------------------------
    service_name: str = Field(
        "unknown",
        description="the process's name in its logs, its metrics' labels and its connections "
        "to the store and broker (set by make run and docker-compose)",
    )
    environment: Literal["development", "production"] = Field(
        "development",
        description="in production, every service refuses to start without a SECRET_KEY of 32 "
        "characters or more that is not one of the repository's defaults",
    )
    secret_key: str = Field(
        DEVELOPMENT_SECRET_KEY,
        description="the key that signs access tokens and the rate limits' keys, and from which the pages' "
        "sessions' encryption key is derived",
    )
    log_level: str = Field(
        "INFO", description="log level of every process (DEBUG, INFO, WARNING, ERROR, CRITICAL)"
    )
    host: str = Field(
        "127.0.0.1", description="the address a web process and a worker's probes (WORKER_PORT) listen on"
    )
    port: int = Field(8000, ge=1, le=65535, description="where a web process listens: its port")
    worker_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="the port a service's worker process answers its probes and /metrics on (0: none)",
    )
    web_concurrency: int = Field(2, ge=1, description="gunicorn workers per web process")
    web_threads: int = Field(4, ge=1, description="threads per gunicorn worker")
    web_timeout: int = Field(
        30,
        ge=0,
        description="seconds a gunicorn worker may spend on a request before it is restarted (0: no limit)",
    )
    worker_class: str = Field("gthread", description="gunicorn's worker class")
    prometheus_multiproc_dir: Path | None = Field(
        None,
        description="the folder where a service's processes write their metrics, served together by each of "
        "them",
    )

    # ---- the store and the broker ---------------------------------------------------------------
    mongo_url: str = Field(
        "mongodb://127.0.0.1:27017/", description="the MongoDB server (mongodb:// or mongodb+srv://)"
    )
    mongo_db: str = Field("complaints", description="the database the services share")
    mongo_timeout_ms: int = Field(
        3000,
        ge=1,
        description="how long a process waits to find the document store before an operation fails, in ms",
    )
    amqp_url: tuple[str, ...] = Field(
        ("amqp://guest:guest@127.0.0.1:5672/%2F",),
        description="the broker (amqp:// or amqps://; a cluster's nodes separated by commas)",
    )
    amqp_heartbeat: int = Field(
        30,
        ge=0,
        description="the heartbeat interval, in seconds, the processes ask of the broker for their "
        "connections (0: none)",
    )
    events_exchange: str = Field("complaints.events", description="the exchange every event goes through")
    queue_prefix: str = Field("complaints", description="the prefix of the services' queues")
    retry_delays: tuple[int, ...] = Field(
        (1, 5, 30), description="a consumer's back-off, in seconds, one step per retry before dead-lettering"
    )
    consumer_concurrency: int = Field(
        4, ge=1, description="events a service's worker handles at once (in order per complaint)"
    )
    prefetch: int = Field(
        5,
        ge=1,
        description="unacknowledged messages a consumer holds at once (at least twice CONSUMER_CONCURRENCY)",
    )
    delivery_limit: int = Field(
        20, ge=1, description="redeliveries of one message before the broker sets it aside"
    )
    outbox_sweep_seconds: float = Field(1.0, gt=0, description="how often the outbox relay sweeps")
    outbox_grace_seconds: float = Field(
        2.0, ge=0, description="how old an event must be before the relay competes with its writer"
    )

    # ---- the gateway --------------------------------------------------------------------------
    gateway_port: int = Field(8080, ge=1, le=65535, description="the public port (the gateway's)")
    intake_url: tuple[str, ...] = Field(
        ("http://127.0.0.1:8081",),
        description="where the intake service is reached: one URL, or several separated by commas, taken in "
        "turn",
    )
    tracking_url: tuple[str, ...] = Field(
        ("http://127.0.0.1:8082",),
        description="where the tracking service is reached: one URL, or several separated by commas, taken "
        "in turn",
    )
    notification_url: tuple[str, ...] = Field(
        ("http://127.0.0.1:8083",),
        description="where the notification service is reached: one URL, or several separated by commas, "
        "taken in turn",
    )
    feedback_url: tuple[str, ...] = Field(
        ("http://127.0.0.1:8084",),
        description="where the feedback service is reached: one URL, or several separated by commas, taken "
        "in turn",
    )
    upstream_pool: int = Field(16, ge=1, description="connections the gateway keeps to each service instance")
    upstream_connect_timeout: float = Field(
        2.0, gt=0, description="seconds the gateway waits to reach a service; then 503"
    )
    upstream_timeout: float = Field(
        15.0, gt=0, description="seconds the gateway waits for each read of a service's answer; then 503"
    )
    public_url: str | None = Field(
        None,
        description="the platform's address (http:// or https://): emails' links and Open311's discovery; "
        "https:// makes the pages' cookies secure and asks browsers for HTTPS only (default "
        "http://localhost:GATEWAY_PORT)",
    )
    timezone: ZoneInfo = Field(
        ZoneInfo("Africa/Casablanca"),
        description="the time zone the pages show times in (a name of the tz database)",
    )
    trusted_proxies: int = Field(
        0,
        ge=0,
        description="reverse proxies in front of the gateway (the client is that many X-Forwarded-For "
        "entries before the end)",
    )

    # ---- requests -----------------------------------------------------------------------------
    # The largest legitimate JSON body is a staff transition with both notes and a reason full
    # (10,000 characters); written with \uXXXX escapes, as some clients do, that is 60 kB (120 kB if
    # every character is an escaped surrogate pair). 256 kB keeps twice that as a margin.
    max_json_bytes: int = Field(256 * 1024, ge=1, description="the largest JSON or form body a route takes")
    max_request_bytes: int = Field(
        0, ge=0, description="when not 0, a cap on every route's body, uploads included"
    )
    max_document_bytes: int = Field(10 * 1024 * 1024, ge=1, description="the size of one document, in bytes")
    max_documents: int = Field(10, ge=0, description="the number of documents a complaint may hold")
    rate_tracking_failures: Rate = Field(
        Rate(20, 600),
        description="failed tracking attempts per client address and window of seconds (COUNT/SECONDS)",
    )
    rate_submissions: Rate = Field(
        Rate(100, 3600), description="complaints filed per client address and window (COUNT/SECONDS)"
    )
    rate_login_failures: Rate = Field(
        Rate(10, 900),
        description="failed staff sign-ins per account and client address, and window (COUNT/SECONDS)",
    )
    rate_login_client_failures: Rate = Field(
        Rate(30, 900),
        description="failed staff sign-ins per client address and window, whatever the accounts "
        "(COUNT/SECONDS)",
    )
    rate_open311_submissions: Rate = Field(
        Rate(1000, 3600), description="Open311 requests per API key and window (COUNT/SECONDS)"
    )
    tracking_token_ttl: int = Field(3600, ge=1, description="lifetime of a citizen's token, in seconds")
    staff_token_ttl: int = Field(8 * 3600, ge=1, description="lifetime of a staff member's token, in seconds")

    # ---- complaints ---------------------------------------------------------------------------
    admin_username: str = Field("admin", description="the first administrator's name, created at first start")
    admin_password: str | None = Field(None, description="the first administrator's password")
    admin_email: str | None = Field(
        None,
        description="the first administrator's address (for overdue alerts in districts without a "
        "supervisor)",
    )
    reopen_window_days: int = Field(
        30, ge=0, description="how long after an answer a citizen may reopen, in days"
    )
    reopen_limit: int = Field(3, ge=0, description="how many times a citizen may reopen")
    jobs_interval_seconds: float = Field(
        60.0, gt=0, description="how often overdue deadlines are flagged and expired answers closed"
    )
    retention_days: int = Field(
        730, ge=1, description="how long after closing a complaint keeps its citizen's personal data, in days"
    )
    retention_check_seconds: float = Field(
        86400.0, gt=0, description="how often the retention job looks for complaints past their retention"
    )
    feedback_settle_interval_seconds: float = Field(
        300.0,
        gt=0,
        description="how often the feedback worker finishes figures a stopped process left half-counted",
    )
    open311_api_key: str | None = Field(
        None, description="an Open311 API key kept at every start (unless an administrator revoked it)"
    )
    open311_jurisdiction: str = Field(
        "casablanca", description="the city's Open311 jurisdiction_id (a district code is accepted too)"
    )
    open311_placement_km: float = Field(
        10.0,
        gt=0,
        description="how far from the nearest district's centre an Open311 request with only a point is "
        "still placed in it",
    )
    open311_contact: str | None = Field(
        None, description="the contact of Open311's discovery document (default: PUBLIC_URL, and a phrase)"
    )

    # ---- mail ---------------------------------------------------------------------------------
    smtp_host: str = Field("127.0.0.1", description="outgoing mail: the server")
    smtp_port: int = Field(8025, ge=1, le=65535, description="outgoing mail: the server's port")
    smtp_user: str | None = Field(None, description="outgoing mail: the account to log in with, if any")
    smtp_password: str = Field("", description="outgoing mail: that account's password")
    smtp_ssl: bool = Field(
        False, description="outgoing mail: speak TLS from the start (not with SMTP_STARTTLS)"
    )
    smtp_starttls: bool = Field(
        False, description="outgoing mail: upgrade a plain connection to TLS (not with SMTP_SSL)"
    )
    smtp_ca_file: FilePath | None = Field(
        None,
        description="outgoing mail: the CA the server's certificate is verified against, when a private one",
    )
    smtp_timeout: float = Field(
        10.0, gt=0, description="seconds the notification worker waits on the mail server"
    )
    smtp_reuse_seconds: float = Field(
        20.0, ge=0, description="how long a worker keeps its SMTP connection open after its last message"
    )
    mail_from: str = Field(
        "Réclamations Casablanca <no-reply@reclamations.localhost>",
        description="outgoing mail: the From address",
    )
    mail_cap_per_hour: int = Field(20, ge=0, description="the most emails one address receives in an hour")

    @field_validator("environment", mode="before")
    @classmethod
    def _environment(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("secret_key")
    @classmethod
    def _secret_key(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("environment") == "production" and (value in KNOWN_KEYS or len(value) < 32):
            raise Rule(
                "ENVIRONMENT=production needs SECRET_KEY: a random value of 32 characters or more "
                "(for example `openssl rand -hex 32`), not a default.",
            )
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: object) -> object:
        level = str(value).strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("expected a log level: DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("mongo_url")
    @classmethod
    def _mongo_url(cls, value: str) -> str:
        if not _is_url(value, ("mongodb", "mongodb+srv")):
            raise ValueError("expected a URL that starts with mongodb:// or mongodb+srv://")
        return value

    @field_validator("amqp_url", mode="before")
    @classmethod
    def _amqp_url(cls, value: object) -> object:
        return _urls(value, ("amqp", "amqps"))

    @field_validator("intake_url", "tracking_url", "notification_url", "feedback_url", mode="before")
    @classmethod
    def _service_url(cls, value: object) -> object:
        return _urls(value, ("http", "https"))

    @field_validator("public_url", mode="before")
    @classmethod
    def _public_url(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        url = value.strip().rstrip("/")
        if not _is_url(url, ("http", "https")):
            raise ValueError("expected a URL that starts with http:// or https://")
        return url

    @field_validator("mongo_db")
    @classmethod
    def _mongo_db(cls, value: str) -> str:
        if len(value.encode()) > 63 or any(c in value for c in '/\\. "$'):
            raise ValueError('expected a database name: at most 63 bytes, none of / \\ . " $ or a space')
        return value

    @field_validator("retry_delays", mode="before")
    @classmethod
    def _retry_delays(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        steps = [step.strip() for step in value.split(",") if step.strip()]
        if not steps or not all(step.isdigit() for step in steps):
            raise ValueError(
                "expected seconds, whole numbers of 0 or more separated by commas, for example 1,5,30"
            )
        return tuple(int(step) for step in steps)

    @field_validator(
        "rate_tracking_failures",
        "rate_submissions",
        "rate_login_failures",
        "rate_login_client_failures",
        "rate_open311_submissions",
        mode="before",
    )
    @classmethod
    def _rate(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        match = _RATE.fullmatch(value)
        if not match:
            raise ValueError("write COUNT/SECONDS, for example 100/3600")
        rate = Rate(int(match[1]), int(match[2]))
        if rate.count < 1 or rate.seconds < 1:
            raise ValueError("write COUNT/SECONDS, both above 0, for example 100/3600")
        return rate

    @field_validator("timezone", mode="before")
    @classmethod
    def _timezone(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                "expected a time zone of the tz database, for example Africa/Casablanca"
            ) from None

    @field_validator("admin_email")
    @classmethod
    def _admin_email(cls, value: str | None) -> str | None:
        if value is not None and "@" not in value.strip("@"):
            raise ValueError("expected an email address")
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str) -> str:
        if "@" not in parseaddr(value)[1]:
            raise ValueError("expected an address, for example Réclamations <no-reply@example.org>")
        return value

    @field_validator("smtp_starttls")
    @classmethod
    def _one_tls(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("smtp_ssl"):
            raise Rule(
                "SMTP_SSL and SMTP_STARTTLS are both true: choose one (SMTP_SSL speaks TLS from the start, "
                "SMTP_STARTTLS upgrades a plain connection)",
            )
        return value
