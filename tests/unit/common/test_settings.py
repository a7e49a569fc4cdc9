"""The settings: today's defaults, and a wrong value stops the process naming its variable."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from common import config
from common.settings import DEVELOPMENT_SECRET_KEY, Rate, Settings

# What the code read when a variable was unset, before the settings had one place.
DEFAULTS = {
    "SERVICE_NAME": "unknown",
    "ENVIRONMENT": "development",
    "SECRET_KEY": DEVELOPMENT_SECRET_KEY,
    "LOG_LEVEL": "INFO",
    "HOST": "127.0.0.1",
    "PORT": 8000,
    "WORKER_PORT": 0,
    "WEB_CONCURRENCY": 2,
    "WEB_THREADS": 4,
    "WEB_TIMEOUT": 30,
    "WORKER_CLASS": "gthread",
    "PROMETHEUS_MULTIPROC_DIR": None,
    "MONGO_URL": "mongodb://127.0.0.1:27017/",
    "MONGO_DB": "complaints",
    "MONGO_TIMEOUT_MS": 3000,
    "AMQP_URL": ("amqp://guest:guest@127.0.0.1:5672/%2F",),
    "AMQP_HEARTBEAT": 30,
    "EVENTS_EXCHANGE": "complaints.events",
    "QUEUE_PREFIX": "complaints",
    "RETRY_DELAYS": (1, 5, 30),
    "CONSUMER_CONCURRENCY": 4,
    "PREFETCH": 5,
    "DELIVERY_LIMIT": 20,
    "OUTBOX_SWEEP_SECONDS": 1.0,
    "OUTBOX_GRACE_SECONDS": 2.0,
    "GATEWAY_PORT": 8080,
    "INTAKE_URL": ("http://127.0.0.1:8081",),
    "TRACKING_URL": ("http://127.0.0.1:8082",),
    "NOTIFICATION_URL": ("http://127.0.0.1:8083",),
    "FEEDBACK_URL": ("http://127.0.0.1:8084",),
    "UPSTREAM_POOL": 16,
    "UPSTREAM_CONNECT_TIMEOUT": 2.0,
    "UPSTREAM_TIMEOUT": 15.0,
    "PUBLIC_URL": None,
    "TIMEZONE": ZoneInfo("Africa/Casablanca"),
    "TRUSTED_PROXIES": 0,
    "MAX_JSON_BYTES": 256 * 1024,
    "MAX_REQUEST_BYTES": 0,
    "MAX_DOCUMENT_BYTES": 10 * 1024 * 1024,
    "MAX_DOCUMENTS": 10,
    "RATE_TRACKING_FAILURES": Rate(20, 600),
    "RATE_SUBMISSIONS": Rate(100, 3600),
    "RATE_LOGIN_FAILURES": Rate(10, 900),
    "RATE_LOGIN_CLIENT_FAILURES": Rate(30, 900),
    "RATE_OPEN311_SUBMISSIONS": Rate(1000, 3600),
    "RATE_NEARBY": Rate(60, 600),
    "RATE_REPORTS": Rate(300, 600),
    "TRACKING_TOKEN_TTL": 3600,
    "STAFF_TOKEN_TTL": 8 * 3600,
    "EMAIL_LINK_TTL": None,  # then 30 days more than REOPEN_WINDOW_DAYS (common/tokens.py)
    "FOLLOW_CONFIRM_TTL": 3 * 86400,
    "ADMIN_USERNAME": "admin",
    "ADMIN_PASSWORD": None,
    "ADMIN_EMAIL": None,
    "REOPEN_WINDOW_DAYS": 30,
    "REOPEN_LIMIT": 3,
    "JOBS_INTERVAL_SECONDS": 60.0,
    "RETENTION_DAYS": 730,
    "RETENTION_CHECK_SECONDS": 86400.0,
    "FEEDBACK_SETTLE_INTERVAL_SECONDS": 300.0,
    "OPEN311_API_KEY": None,
    "OPEN311_JURISDICTION": "casablanca",
    "OPEN311_PLACEMENT_KM": 10.0,
    "OPEN311_CONTACT": None,
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 8025,
    "SMTP_USER": None,
    "SMTP_PASSWORD": "",
    "SMTP_SSL": False,
    "SMTP_STARTTLS": False,
    "SMTP_CA_FILE": None,
    "SMTP_TIMEOUT": 10.0,
    "SMTP_REUSE_SECONDS": 20.0,
    "MAIL_FROM": "Réclamations Casablanca <no-reply@reclamations.localhost>",
    "MAIL_CAP_PER_HOUR": 20,
    "MAP_TILES_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "MAP_ATTRIBUTION": "© OpenStreetMap contributors",
    "MAP_ATTRIBUTION_URL": "https://www.openstreetmap.org/copyright",
}


@pytest.fixture
def unset(monkeypatch):
    """Unset every variable of the settings; return a function that sets some and loads them."""
    for name in Settings.DESCRIPTIONS:
        monkeypatch.delenv(name.upper(), raising=False)

    def load(**variables: str):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return config.reload()

    return load


def refusal(load, **variables: str) -> str:
    """Return the message the process stops with, given these variables."""
    with pytest.raises(SystemExit) as stopped:
        load(**variables)
    return str(stopped.value)


def test_every_default_is_the_one_the_code_had(unset):
    settings = unset()
    assert {name.upper() for name in Settings.DESCRIPTIONS} == set(DEFAULTS)
    assert {name: getattr(settings, name.lower()) for name in DEFAULTS} == DEFAULTS


def test_a_blank_variable_is_an_unset_one(unset):
    settings = unset(PORT="", RATE_SUBMISSIONS="", TIMEZONE="", RETRY_DELAYS="", SMTP_SSL="", PUBLIC_URL="")
    assert (settings.port, settings.rate_submissions, settings.timezone) == (
        8000,
        Rate(100, 3600),
        DEFAULTS["TIMEZONE"],
    )
    assert (settings.retry_delays, settings.smtp_ssl, settings.public_url) == ((1, 5, 30), False, None)


def test_values_are_read_into_their_types(unset):
    settings = unset(
        PORT="9001",
        RATE_SUBMISSIONS=" 5 / 60 ",
        RETRY_DELAYS="0, 2,10",
        SMTP_STARTTLS="yes",
        ENVIRONMENT="Production",
        SECRET_KEY="9f" * 32,
        LOG_LEVEL="debug",
        TIMEZONE="Europe/Paris",
        AMQP_URL="amqp://a:5672/%2F, amqps://b:5671/%2F",
        INTAKE_URL="http://intake:8000/,http://intake-2:8000",
        PUBLIC_URL="https://plaintes.example.ma/",
        UPSTREAM_TIMEOUT="2.5",
        PROMETHEUS_MULTIPROC_DIR="/tmp/metrics",
    )
    assert settings.port == 9001 and settings.rate_submissions == Rate(5, 60)
    assert settings.retry_delays == (0, 2, 10) and settings.smtp_starttls is True
    assert settings.environment == "production" and settings.log_level == "DEBUG"
    assert settings.timezone == ZoneInfo("Europe/Paris")
    assert settings.amqp_url == ("amqp://a:5672/%2F", "amqps://b:5671/%2F")
    assert settings.intake_url == ("http://intake:8000", "http://intake-2:8000")
    assert settings.public_url == "https://plaintes.example.ma"
    assert settings.upstream_timeout == 2.5 and settings.prometheus_multiproc_dir == Path("/tmp/metrics")


def test_a_wrong_rate_is_named_with_its_value_and_how_to_write_it(unset):
    message = refusal(unset, RATE_SUBMISSIONS="100 per hour")
    assert "RATE_SUBMISSIONS='100 per hour': write COUNT/SECONDS, for example 100/3600" in message


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PORT", "0", "a whole number from 1 to 65535"),
        ("SMTP_PORT", "http", "a whole number from 1 to 65535"),
        ("WORKER_PORT", "70000", "a whole number from 0 to 65535"),
        ("WEB_CONCURRENCY", "0", "a whole number of 1 or more"),
        ("MAX_DOCUMENTS", "ten", "a whole number of 0 or more"),
        ("UPSTREAM_TIMEOUT", "soon", "a number above 0"),
        ("JOBS_INTERVAL_SECONDS", "-60", "a number above 0"),
        ("SMTP_TIMEOUT", "inf", "a number above 0"),
        ("SMTP_SSL", "maybe", "true or false"),
        ("RATE_LOGIN_FAILURES", "10/0", "COUNT/SECONDS, both above 0"),
        ("RETRY_DELAYS", "1,-5,30", "whole numbers of 0 or more separated by commas"),
        ("RETRY_DELAYS", ",", "whole numbers of 0 or more separated by commas"),
        ("ENVIRONMENT", "staging", "'development' or 'production'"),
        ("LOG_LEVEL", "LOUD", "a log level"),
        ("TIMEZONE", "Mars/Olympus_Mons", "a time zone"),
        ("MONGO_URL", "localhost:27017", "mongodb://"),
        ("AMQP_URL", "amqp://a:5672/%2F,http://b:15672", "amqp:// or amqps://"),
        ("TRACKING_URL", "tracking:8000", "http:// or https://"),
        ("PUBLIC_URL", "plaintes.example.ma", "http:// or https://"),
        ("MONGO_DB", "complaints.prod", "a database name"),
        ("SMTP_CA_FILE", "/nowhere/ca.pem", "file"),
        ("MAIL_FROM", "the city", "an address"),
        ("MAP_TILES_URL", "tiles.example.ma/{z}/{x}/{y}.png", "http:// or https://"),
        ("MAP_TILES_URL", "https://tiles.example.ma/tile.png", "{z}, {x} and {y}"),
        ("MAP_TILES_URL", "https://tiles.example.ma/{z}/{x}/{y}.png; script-src *", "without quotes, spaces"),
    ],
)
def test_a_wrong_value_stops_the_process_naming_the_variable(unset, variable, value, expected):
    message = refusal(unset, **{variable: value})
    assert f"{variable}='{value}': " in message
    assert expected in message


def test_every_wrong_variable_is_named_at_once(unset):
    message = refusal(
        unset, PORT="abc", RATE_SUBMISSIONS="100 per hour", TIMEZONE="Nowhere", ENVIRONMENT="prod"
    )
    named = [line.split("=")[0].strip() for line in message.splitlines()[1:]]
    assert named == ["ENVIRONMENT", "PORT", "TIMEZONE", "RATE_SUBMISSIONS"]


def test_rules_across_variables_are_checked_with_the_others(unset):
    message = refusal(unset, ENVIRONMENT="production", SMTP_SSL="true", SMTP_STARTTLS="true", PORT="0")
    assert "ENVIRONMENT=production needs SECRET_KEY" in message
    assert "SMTP_SSL and SMTP_STARTTLS are both true" in message
    assert "PORT='0'" in message


def test_a_password_in_a_wrong_url_is_not_repeated(unset):
    message = refusal(unset, MONGO_URL="http://city:hunter2@db:27017/")
    assert "MONGO_URL='http://city:***@db:27017/'" in message and "hunter2" not in message


def test_the_settings_are_read_once_and_cannot_change(unset, monkeypatch):
    settings = unset(PORT="9002")
    monkeypatch.setenv("PORT", "9003")
    assert config.settings() is settings and config.load() is settings and config.settings().port == 9002
    with pytest.raises(AttributeError, match="frozen"):
        settings.port = 9004
    assert config.reload().port == 9003
