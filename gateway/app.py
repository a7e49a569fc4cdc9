"""The gateway app: the pages and the aggregated /health, behind nginx (gateway/nginx.py)."""

from __future__ import annotations

from flask import Flask

from common.web import create_service_app
from gateway import web
from gateway.docs import docs
from gateway.health import blueprint


def create_app(test_config: dict | None = None) -> Flask:
    """Build the gateway app: the web pages on top of the public API, the API's documentation, health."""
    app = create_service_app("gateway", [blueprint, docs], test_config, ready_checks=())
    web.install(app, [blueprint, docs])
    return app
