"""Tracking's HTTP API: find a complaint by number and email, then read it with the token."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from common import mongo
from common.web import json_body
from services.tracking import domain
from services.tracking.schemas import TrackingRequestSchema

api = Blueprint("tracking", __name__, url_prefix="/api/v1")
_tracking_schema = TrackingRequestSchema()


@api.post("/tracking")
def post_tracking():
    """Exchange a number and an email for an access token and the complaint's view."""
    data = _tracking_schema.load(json_body())
    return jsonify(domain.track(mongo.database(), data["number"], data["email"]))


@api.get("/complaints/<number>")
def get_complaint(number: str):
    """Return the complaint's public view to the holder of its access token."""
    domain.authorize(request.headers.get("Authorization"), number)
    return jsonify(domain.view(mongo.database(), number))
