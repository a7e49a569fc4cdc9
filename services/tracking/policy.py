"""Tracking's policy values, read from the settings when needed: what rules.py is given."""

from __future__ import annotations

from datetime import timedelta

from common import config


def reopen_window() -> timedelta:
    """Return how long after an answer the citizen may reopen (REOPEN_WINDOW_DAYS)."""
    return timedelta(days=config.settings().reopen_window_days)


def reopen_limit() -> int:
    """Return how many times a complaint may be reopened (REOPEN_LIMIT)."""
    return config.settings().reopen_limit


def reopening() -> dict:
    """Return the reopen window and limit, as the keyword arguments of rules' reopening rules."""
    return {"window": reopen_window(), "limit": reopen_limit()}
