"""Intake: receives complaints and owns the catalogue."""

from __future__ import annotations

from flask import Flask

from common import mongo
from common.web import create_service_app
from services.intake import keys, store
from services.intake.api import api
from services.intake.open311 import open311
from services.intake.staff_api import answers_api, keys_api, staff_api


def create_app(test_config: dict | None = None) -> Flask:
    """Build the intake app; nothing connects until the first request."""
    mongo.on_first_use(store.ensure_indexes)
    mongo.on_first_use(keys.seed)
    return create_service_app(
        "intake",
        [api, staff_api, keys_api, answers_api, open311],
        test_config,
        ready_checks=("store", "broker", "queue"),
    )
