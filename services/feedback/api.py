"""Feedback's HTTP API: the public quality figures, and their export for staff."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from common import mongo, tokens
from common.exports import csv_response
from services.feedback import figures as reading
from services.feedback.schemas import StatsQuerySchema

api = Blueprint("feedback", __name__, url_prefix="/api/v1")
_stats_query = StatsQuerySchema()


def _query() -> dict:
    # A blank parameter (?district=) means no filter, as in a form left empty.
    return _stats_query.load({key: value for key, value in request.args.items() if value.strip()})


@api.get("/stats")
def get_stats():
    """Return the quality figures, filtered by district, category and period, and by month."""
    return jsonify(reading.figures(mongo.database(), _query()))


@api.get("/staff/exports/stats.csv")
def get_stats_csv():
    """Return the same figures as a spreadsheet: one line per month, then the total (any staff member)."""
    tokens.staff_claims(request.headers.get("Authorization"))
    figures = reading.figures(mongo.database(), _query())
    rows = [reading.csv_row(month["month"], month) for month in figures["by_month"]]
    rows.append(reading.csv_row("total", figures))
    parts = [figures["filters"][key] for key in ("district", "category", "from", "to")]
    name = "-".join(["figures", *(part for part in parts if part)])
    return csv_response(f"{name}.csv", reading.CSV_HEADER, rows)
