"""Tracking's staff API: login, the queue, treatment, and the staff accounts."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from common import bodies, mongo, tokens, uploads
from common.envelope import utcnow
from common.exports import csv_response
from common.vocabulary import Role
from common.web import client_address, json_body
from services.tracking import accounts, privacy, queue, treatment
from services.tracking.api import file_part, send_copy, send_document
from services.tracking.schemas import (
    AssignmentSchema,
    CitizenRequestSchema,
    LoginSchema,
    MapQuerySchema,
    MergeSchema,
    NoteSchema,
    PlacementSchema,
    QueueQuerySchema,
    StaffChangeSchema,
    StaffMemberSchema,
    TransitionSchema,
)

staff_api = Blueprint("staff", __name__, url_prefix="/api/v1/staff")
_login, _queue, _transition = LoginSchema(), QueueQuerySchema(), TransitionSchema()
_export = QueueQuerySchema(exclude=("page", "page_size"))
_map = MapQuerySchema(exclude=("page", "page_size"))
_assignment, _note, _district = AssignmentSchema(), NoteSchema(), PlacementSchema()
_citizen, _merge = CitizenRequestSchema(), MergeSchema()
_member, _member_change = StaffMemberSchema(), StaffChangeSchema()


def claims() -> dict:
    """Return the signed-in staff member's claims, or raise 401."""
    return tokens.staff_claims(request.headers.get("Authorization"))


@staff_api.post("/login")
def post_login():
    """Exchange a username and password for a signed, expiring token."""
    data = _login.load(json_body())
    return jsonify(accounts.login(mongo.database(), data["username"], data["password"], client_address()))


@staff_api.post("/logout")
def post_logout():
    """End every session of the signed-in member: their tokens are refused from now on."""
    accounts.logout(mongo.database(), claims()["sub"])
    signed_out = Response(status=204)
    del signed_out.headers["Content-Type"]  # no body, so no type
    return signed_out


@staff_api.get("/complaints")
def get_queue():
    """Return the member's queue, filtered, searched and paginated."""
    who = claims()
    query = _queue.load({key: value for key, value in request.args.items() if value.strip()})
    return jsonify(queue.queue(mongo.database(), who, query))


@staff_api.get("/complaints/map")
def get_map():
    """Return the points of the member's queue, with its filters, in a box, grouped on a grid (zoom)."""
    who = claims()
    query = _map.load({key: value for key, value in request.args.items() if value.strip()})
    return jsonify(queue.map_groups(mongo.database(), who, query))


@staff_api.get("/exports/complaints.csv")
def get_export():
    """Return the member's complaints list as a spreadsheet, with the queue's filters."""
    who = claims()
    query = _export.load({key: value for key, value in request.args.items() if value.strip()})
    header, lines = queue.export(mongo.database(), who, query)
    return csv_response(f"complaints-{utcnow():%Y-%m-%d}.csv", header, lines)


@staff_api.get("/complaints/<number>")
def get_complaint(number: str):
    """Return the complaint with the citizen's contact and the internal notes."""
    return jsonify(treatment.read(mongo.database(), claims(), number))


@staff_api.get("/complaints/<number>/audit")
def get_audit(number: str):
    """Return the complaint's audit trail."""
    return jsonify({"items": treatment.audit_trail(mongo.database(), claims(), number)})


@staff_api.post("/complaints/<number>/transitions")
def post_transition(number: str):
    """Move the complaint to another status, with public and internal notes."""
    who = claims()
    return jsonify(treatment.transition(mongo.database(), who, number, _transition.load(json_body())))


@staff_api.get("/complaints/<number>/assignees")
def get_assignees(number: str):
    """Return the members the signed-in member may assign the complaint to (name and department only)."""
    return jsonify(treatment.assignees(mongo.database(), claims(), number))


@staff_api.post("/complaints/<number>/assignment")
def post_assignment(number: str):
    """Assign the complaint to a department or an agent."""
    who = claims()
    return jsonify(treatment.assign(mongo.database(), who, number, _assignment.load(json_body())))


@staff_api.post("/complaints/<number>/district")
def post_district(number: str):
    """Place the complaint in a district."""
    who = claims()
    return jsonify(treatment.place(mongo.database(), who, number, _district.load(json_body())["district"]))


@staff_api.post("/complaints/<number>/merge")
def post_merge(number: str):
    """Close the complaint as a duplicate of another (`into`), whose steps its citizen then follows."""
    who = claims()
    return jsonify(treatment.merge(mongo.database(), who, number, _merge.load(json_body())))


@staff_api.post("/complaints/<number>/notes")
def post_note(number: str):
    """Add an internal note."""
    who = claims()
    return jsonify(treatment.add_note(mongo.database(), who, number, _note.load(json_body())["text"])), 201


@staff_api.post("/complaints/<number>/documents")
@bodies.accepts_uploads(uploads.document_bytes)
def post_document(number: str):
    """Add a document on behalf of the district."""
    who = claims()
    return jsonify(treatment.add_document(mongo.database(), who, number, file_part())), 201


@staff_api.get("/complaints/<number>/documents/<document_id>")
def get_document(number: str, document_id: str):
    """Download one of the complaint's documents (the read is in the complaint's audit trail)."""
    document, content = treatment.open_document(mongo.database(), claims(), number, document_id)
    return send_document(document, content)


@staff_api.get("/complaints/<number>/documents/<document_id>/thumb")
def get_document_thumb(number: str, document_id: str):
    """Return a photo's thumbnail (not in the audit trail: the complaint's read, which shows it, is)."""
    copy = treatment.open_copy(mongo.database(), claims(), number, document_id, "thumb")
    return send_copy(*copy, "thumb")


@staff_api.get("/complaints/<number>/documents/<document_id>/display")
def get_document_display(number: str, document_id: str):
    """Return a photo's display copy (opening it is in the complaint's audit trail, as a download)."""
    copy = treatment.open_copy(mongo.database(), claims(), number, document_id, "display")
    return send_copy(*copy, "display")


@staff_api.post("/citizens/export")
def post_citizen_export():
    """Everything kept about one citizen, found by their email (administrators; logged)."""
    return jsonify(privacy.export(mongo.database(), claims(), _citizen.load(json_body())["email"]))


@staff_api.post("/citizens/erasure")
def post_citizen_erasure():
    """Anonymise every complaint of one citizen at their request (administrators)."""
    return jsonify(privacy.erase(mongo.database(), claims(), _citizen.load(json_body())["email"]))


@staff_api.get("/members")
def get_members():
    """List the staff accounts (administrators)."""
    tokens.require_role(claims(), Role.ADMIN)
    return jsonify({"items": accounts.list_members(mongo.database())})


@staff_api.post("/members")
def post_member():
    """Create a staff account (administrators)."""
    who = claims()
    tokens.require_role(who, Role.ADMIN)
    return jsonify(accounts.create_member(mongo.database(), _member.load(json_body()), by=who["sub"])), 201


@staff_api.patch("/members/<username>")
def patch_member(username: str):
    """Change a staff account (administrators)."""
    who = claims()
    tokens.require_role(who, Role.ADMIN)
    data = _member_change.load(json_body())
    return jsonify(accounts.change_member(mongo.database(), username, data, by=who["sub"]))
