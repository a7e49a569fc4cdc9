"""Configuration read from environment variables when needed, with localhost defaults."""

from __future__ import annotations

import os

_TRUE = {"1", "true", "yes", "on"}


def get(name: str, default: str | None = None) -> str | None:
    """Return the variable, or the default when unset or blank."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def get_int(name: str, default: int) -> int:
    """Return the variable as an integer."""
    return int(get(name, str(default)))


def get_float(name: str, default: float) -> float:
    """Return the variable as a float."""
    return float(get(name, str(default)))


def get_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean (1, true, yes, on)."""
    value = get(name)
    return default if value is None else value.strip().lower() in _TRUE


def mongo_url() -> str:
    """Return the document store's URL."""
    return get("MONGO_URL", "mongodb://127.0.0.1:27017/")


def mongo_db() -> str:
    """Return the database name every service shares (collections are prefixed by owner)."""
    return get("MONGO_DB", "complaints")


def amqp_url() -> str:
    """Return the broker's URL."""
    return get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def exchange() -> str:
    """Return the events exchange (tests give each run its own)."""
    return get("EVENTS_EXCHANGE", "complaints.events")


def queue_prefix() -> str:
    """Return the prefix of this deployment's consumer queues."""
    return get("QUEUE_PREFIX", "complaints")


DEVELOPMENT_SECRET_KEY = "dev-only-secret-key-change-me"
# Keys published in this repository's files: never acceptable in production.
KNOWN_KEYS = {DEVELOPMENT_SECRET_KEY, "change-me-in-production"}


def secret_key() -> str:
    """Return the key that signs tokens, sessions and rate-limit keys."""
    return get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)


def production() -> bool:
    """Return whether this is a production deployment (ENVIRONMENT=production)."""
    return (get("ENVIRONMENT", "development") or "").lower() == "production"


def check_production_secrets() -> None:
    """Refuse to start in production with a missing, published or short SECRET_KEY."""
    key = secret_key()
    if production() and (key in KNOWN_KEYS or len(key) < 32):
        raise SystemExit(
            "ENVIRONMENT=production needs SECRET_KEY: a random value of 32 characters or more "
            "(for example `openssl rand -hex 32`), not a default."
        )
