"""The gateway: one entry point that routes the public API to the services."""

from __future__ import annotations

from flask import Flask

from common.web import create_service_app
from gateway import web
from gateway.docs import docs
from gateway.routes import blueprint


def create_app(test_config: dict | None = None) -> Flask:
    """Build the gateway app: the public API routed to the services, and the web pages on top of it."""
    app = create_service_app("gateway", [blueprint, docs], test_config, ready_checks=())
    web.install(app, [blueprint, docs])
    return app
