"""Intake's HTTP API: the catalogue and complaint submission."""

from __future__ import annotations

from flask import Blueprint, jsonify

from common import mongo
from common.web import json_body
from services.intake import domain
from services.intake.schemas import ComplaintSchema

api = Blueprint("intake", __name__, url_prefix="/api/v1")
_complaint_schema = ComplaintSchema()


@api.get("/catalog")
def get_catalog():
    """Return the kinds, districts and categories a complaint may name."""
    return jsonify(domain.catalog_view(mongo.database()))


@api.post("/complaints")
def post_complaint():
    """File a complaint and return its number and deadlines."""
    data = _complaint_schema.load(json_body())
    return jsonify(domain.submit(mongo.database(), data)), 201
