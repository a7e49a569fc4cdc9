"""Tracking: each complaint's living record, the citizen's access to it, and the staff's treatment."""

from __future__ import annotations

from flask import Flask

from common import mongo
from common.web import create_service_app
from services.tracking import accounts, store
from services.tracking.api import api
from services.tracking.open311 import open311
from services.tracking.reports import reports
from services.tracking.staff_api import staff_api


def create_app(test_config: dict | None = None) -> Flask:
    """Build the tracking app; nothing connects until the first request."""
    mongo.on_first_use(store.ensure_indexes)
    mongo.on_first_use(accounts.bootstrap_admin)
    return create_service_app(
        "tracking", [api, staff_api, open311, reports], test_config, ready_checks=("store", "broker", "queue")
    )
