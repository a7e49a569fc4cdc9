"""Intake's HTTP API: the catalogue and complaint submission (JSON, or multipart with documents)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import ValidationError

from common import bodies, logs, mongo, ratelimit, uploads
from common.errors import BadRequest, UnsupportedMediaType
from common.web import client_address, json_body
from services.intake import domain
from services.intake.schemas import DISTRICT_REQUIRED, ComplaintSchema

api = Blueprint("intake", __name__, url_prefix="/api/v1")
_complaint_schema = ComplaintSchema()


def _load(body) -> dict:
    """Return the complaint's fields; a refusal also names a missing district that no point places."""
    try:
        return _complaint_schema.load(body)
    except ValidationError as exc:
        messages = exc.messages
        lacking = isinstance(body, dict) and not body.get("district") and not body.get("location")
        if isinstance(messages, dict) and lacking and "district" not in messages:
            messages["district"] = [DISTRICT_REQUIRED]
        raise


def submission() -> tuple[dict, list]:
    """Return the complaint's fields and its documents, checked by content, from JSON or multipart."""
    if request.mimetype not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if not request.is_json:
            raise UnsupportedMediaType("Send the complaint as application/json or multipart/form-data.")
        return _load(json_body()), []
    part = request.form.get("complaint")
    if part is None and "complaint" in request.files:
        part = request.files["complaint"].read().decode("utf-8", "replace")
    if part is None:
        raise BadRequest(
            "The part 'complaint' with the complaint as JSON is missing.", fields={"complaint": ["required"]}
        )
    try:
        body = bodies.parse_json(part)
    except BadRequest as exc:
        fields = {"complaint": exc.fields or [exc.message]}
        raise BadRequest(f"The part 'complaint': {exc.message}", fields=fields) from exc
    if not isinstance(body, dict):
        raise BadRequest(
            "The part 'complaint' must be a JSON object.", fields={"complaint": ["not an object"]}
        )
    data = _load(body)
    files = [f for f in request.files.getlist("documents") if f.filename or f.content_length]
    if len(files) > uploads.max_count():
        raise uploads.TooManyDocuments(
            f"A complaint may hold at most {uploads.max_count()} documents.",
            fields={"documents": [f"at most {uploads.max_count()}"]},
        )
    return data, [uploads.read_upload(f, "documents") for f in files]


@api.get("/catalog")
def get_catalog():
    """Return the kinds, districts and categories a complaint may name."""
    return jsonify(domain.catalog_view(mongo.database()))


@api.post("/complaints")
@bodies.accepts_uploads(uploads.submission_bytes)
def post_complaint():
    """File a complaint and return its number and deadlines (RATE_SUBMISSIONS per client)."""
    db, client, limit = mongo.database(), client_address(), ratelimit.submissions()
    ratelimit.check(db, limit, client)
    data, documents = submission()
    with ratelimit.taken(db, limit, client):
        receipt = domain.submit(db, data, documents, request_id=logs.current_request_id())
    return jsonify(receipt), 201
