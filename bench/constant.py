"""Ceiling A, the bare web stack (gunicorn and Flask with the services' settings), and the bounds.

gunicorn -c python:common.gunicorn_conf 'bench.constant:create_app()'

- GET /constant: a constant JSON document, no work at all (ceiling A);
- POST /api/v1/tracking: one complaint read by its number, the least a lookup does; with
  `create_app(reads=False)`, the constant document instead: the tracking service of an entry point
  (nginx) measured with nothing behind it;
- POST /api/v1/complaints: the body stored as one document, the least an acceptance does.
"""

import uuid

from flask import Flask, jsonify, request

from common import mongo

BOUNDS_DATABASE = "bench_bounds"


def create_app(reads: bool = True) -> Flask:
    """Return the app; the store is reached at MONGO_URL, as the services reach it."""
    app = Flask(__name__)

    @app.get("/constant")
    def constant():
        return jsonify(status="ok", service="constant")

    @app.post("/api/v1/tracking")
    def read_one():
        if not reads:
            return constant()
        from services.tracking.store import COMPLAINTS

        number = (request.get_json(silent=True) or {}).get("number")
        found = mongo.database()[COMPLAINTS].find_one({"_id": number}, {"status": 1})
        return jsonify(status=found["status"] if found else None)

    @app.post("/api/v1/complaints")
    def write_one():
        document = {"_id": uuid.uuid4().hex, **(request.get_json(silent=True) or {})}
        mongo.client()[BOUNDS_DATABASE]["complaints"].insert_one(document)
        return jsonify(number=document["_id"]), 201

    return app
