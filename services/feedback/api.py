"""Feedback's HTTP API: the public quality figures."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from common import mongo
from services.feedback import domain
from services.feedback.schemas import StatsQuerySchema

api = Blueprint("feedback", __name__, url_prefix="/api/v1")
_stats_query = StatsQuerySchema()


@api.get("/stats")
def get_stats():
    """Return the quality figures, filtered by district, category and period."""
    # A blank parameter (?district=) means no filter, as in a form left empty.
    query = _stats_query.load({key: value for key, value in request.args.items() if value.strip()})
    return jsonify(domain.figures(mongo.database(), query))
