"""Notification: tells citizens and staff by email."""

from __future__ import annotations

from flask import Flask

from common import mongo
from common.web import create_service_app
from services.notification import store


def create_app(test_config: dict | None = None) -> Flask:
    """Build the notification app (health and metrics); nothing connects until asked."""
    mongo.on_first_use(store.ensure_indexes)
    return create_service_app("notification", None, test_config, ready_checks=("store", "broker", "queue"))
