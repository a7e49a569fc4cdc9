"""Intake's staff API: the catalogue, canned answers and Open311 API keys, as administrators manage them."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from common import mongo, tokens
from common.errors import NotFound
from common.vocabulary import Role
from common.web import json_body
from services.intake import answers, domain, keys
from services.intake.schemas import (
    AnswerChangeSchema,
    AnswerQuerySchema,
    AnswerSchema,
    ApiKeySchema,
    CategoryChangeSchema,
    CategorySchema,
    DistrictChangeSchema,
    DistrictSchema,
)

staff_api = Blueprint("intake_staff", __name__, url_prefix="/api/v1/staff/catalog")
keys_api = Blueprint("intake_keys", __name__, url_prefix="/api/v1/staff/open311-keys")
answers_api = Blueprint("intake_answers", __name__, url_prefix="/api/v1/staff/answers")
_key_schema = ApiKeySchema()
_answer, _answer_change, _answer_query = AnswerSchema(), AnswerChangeSchema(), AnswerQuerySchema()
_schemas = {
    "districts": (DistrictSchema(), DistrictChangeSchema()),
    "categories": (CategorySchema(), CategoryChangeSchema()),
}


def _admin() -> dict:
    claims = tokens.staff_claims(request.headers.get("Authorization"))
    tokens.require_role(claims, Role.ADMIN)
    return claims


def _kind(kind: str):
    if kind not in _schemas:
        raise NotFound("No such catalogue list.")
    return _schemas[kind]


@staff_api.get("")
def get_catalog():
    """Return every entry, retired ones included (any staff member)."""
    tokens.staff_claims(request.headers.get("Authorization"))
    return jsonify(domain.full_catalog(mongo.database()))


@staff_api.post("/<kind>")
def post_entry(kind: str):
    """Add a district or a category (administrators)."""
    create, _change = _kind(kind)
    claims = _admin()
    return jsonify(
        domain.add_catalog_entry(mongo.database(), kind, create.load(json_body()), by=claims["sub"])
    ), 201


@staff_api.patch("/<kind>/<code>")
def patch_entry(kind: str, code: str):
    """Rename, retire or reactivate an entry, or change a category's deadlines (administrators)."""
    _create, change = _kind(kind)
    claims = _admin()
    return jsonify(
        domain.change_catalog_entry(mongo.database(), kind, code, change.load(json_body()), by=claims["sub"])
    )


@keys_api.get("")
def get_keys():
    """List the Open311 API keys, without the keys themselves (administrators)."""
    _admin()
    return jsonify({"items": keys.listing(mongo.database())})


@keys_api.post("")
def post_key():
    """Issue an Open311 API key; the answer is the only time it is shown (administrators)."""
    claims = _admin()
    data = _key_schema.load(json_body())
    return jsonify(keys.issue(mongo.database(), data["name"], by=claims["sub"])), 201


@keys_api.delete("/<key_id>")
def delete_key(key_id: str):
    """Revoke an Open311 API key (administrators)."""
    claims = _admin()
    return jsonify(keys.revoke(mongo.database(), key_id, by=claims["sub"]))


@answers_api.get("")
def get_answers():
    """Return the canned answers, of a category and a target status when asked (any staff member)."""
    tokens.staff_claims(request.headers.get("Authorization"))
    query = _answer_query.load({key: value for key, value in request.args.items() if value.strip()})
    return jsonify({"items": answers.listing(mongo.database(), query)})


@answers_api.post("")
def post_answer():
    """Add a canned answer for a category and a target status (administrators)."""
    claims = _admin()
    return jsonify(answers.create(mongo.database(), _answer.load(json_body()), by=claims["sub"])), 201


@answers_api.patch("/<answer_id>")
def patch_answer(answer_id: str):
    """Change a canned answer (administrators)."""
    claims = _admin()
    data = _answer_change.load(json_body())
    return jsonify(answers.change(mongo.database(), answer_id, data, by=claims["sub"]))


@answers_api.delete("/<answer_id>")
def delete_answer(answer_id: str):
    """Delete a canned answer (administrators)."""
    _admin()
    answers.remove(mongo.database(), answer_id)
    removed = Response(status=204)
    del removed.headers["Content-Type"]  # no body, so no type
    return removed
