"""Tracking: each complaint's living record, and the citizen's access to it."""

from __future__ import annotations

from flask import Flask

from common import mongo
from common.web import create_service_app
from services.tracking import store
from services.tracking.api import api


def create_app(test_config: dict | None = None) -> Flask:
    """Build the tracking app; nothing connects until the first request."""
    mongo.on_first_use(store.ensure_indexes)
    return create_service_app("tracking", api, test_config, ready_checks=("store", "broker", "queue"))
