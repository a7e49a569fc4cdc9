"""Ceiling A: the bare web stack (gunicorn and Flask with the services' settings), no work at all.

gunicorn -c python:common.gunicorn_conf 'bench.constant:create_app()'
"""

from flask import Flask, jsonify


def create_app() -> Flask:
    """Return an app whose one endpoint answers a constant JSON document."""
    app = Flask(__name__)

    @app.get("/constant")
    def constant():
        return jsonify(status="ok", service="constant")

    return app
