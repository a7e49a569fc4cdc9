"""Feedback: ratings and the quality-of-service figures."""

from __future__ import annotations

from flask import Flask

from common import mongo
from common.web import create_service_app
from services.feedback import store
from services.feedback.api import api


def create_app(test_config: dict | None = None) -> Flask:
    """Build the feedback app; nothing connects until the first request."""
    mongo.on_first_use(store.ensure_indexes)
    return create_service_app("feedback", api, test_config, ready_checks=("store", "broker", "queue"))
