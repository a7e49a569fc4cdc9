"""Tracking's citizen API: find a complaint by number and email, then follow and act on it."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from werkzeug.http import dump_options_header

from common import bodies, mongo, ratelimit, uploads
from common.errors import BadRequest, NotFound
from common.vocabulary import Actor
from common.web import client_address, json_body
from services.tracking import accounts, alerts, domain, following, store
from services.tracking.schemas import (
    AlertRequestSchema,
    AlertTokenSchema,
    FeedbackSchema,
    FollowerTokenSchema,
    FollowSchema,
    LinkRequestSchema,
    NearbyQuerySchema,
    RemarkSchema,
    ReopenSchema,
    TrackingRequestSchema,
)

api = Blueprint("tracking", __name__, url_prefix="/api/v1")
_tracking_schema = TrackingRequestSchema()
_link_schema = LinkRequestSchema()
_remark_schema = RemarkSchema()
_reopen_schema = ReopenSchema()
_feedback_schema = FeedbackSchema()
_nearby_schema, _follow_schema, _token_schema = NearbyQuerySchema(), FollowSchema(), FollowerTokenSchema()
_alert_schema, _alert_token_schema = AlertRequestSchema(), AlertTokenSchema()


def _citizen(number: str) -> str:
    """Return the number of the complaint the request's citizen token opens, or raise 401/404."""
    claims = domain.authorize(request.headers.get("Authorization"), number)
    return domain.still_open_to(mongo.database(), claims)


def file_part(name: str = "file"):
    """Return the uploaded file of a multipart request, or raise the contract's 400."""
    upload = request.files.get(name)
    if upload is None:
        raise BadRequest(
            f"Send the document as multipart/form-data in the part '{name}'.", fields={name: ["required"]}
        )
    return upload


def send_document(document: dict, content) -> Response:
    """Return a stored document's bytes as a download that browsers do not sniff or run."""
    response = Response(content, mimetype=document["content_type"])
    response.headers["Content-Length"] = str(document["size"])
    response.headers["Content-Disposition"] = dump_options_header(
        "attachment", {"filename": document["filename"]}
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# A copy's address names one document's copy, which never changes (its blob is keyed by its content).
COPY_CACHING = "private, max-age=31536000, immutable"


def send_copy(document: dict, head: dict, content, name: str) -> Response:
    """Return a photo's copy (a JPEG made by the platform) to be shown inline, cached by the browser."""
    response = Response(content, mimetype=head["content_type"])
    response.headers["Content-Length"] = str(head["size"])
    stem = document["filename"].rsplit(".", 1)[0]
    response.headers["Content-Disposition"] = dump_options_header(
        "inline", {"filename": f"{stem}-{name}.jpg"}
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = COPY_CACHING
    response.set_etag(head["_id"])
    return response.make_conditional(request)


@api.post("/tracking")
def post_tracking():
    """Exchange a number and an email for an access token and the complaint's view.

    A client that failed RATE_TRACKING_FAILURES times in the window gets 429, even with the right
    pair: numbers cannot be guessed by trying.
    """
    return _counting_failures(
        _tracking_schema, lambda db, data: domain.track(db, data["number"], data["email"])
    )


@api.post("/tracking/link")
def post_tracking_link():
    """Exchange the link of a citizen's email (number and token) for what POST /tracking answers.

    A forged, expired or another complaint's link, or one whose address the complaint no longer
    has, is the same 404 as a wrong email, counted by the same limit.
    """
    return _counting_failures(
        _link_schema, lambda db, data: domain.open_link(db, data["number"], data["token"])
    )


def _counting_failures(schema, find) -> Response:
    """Answer find(db, body), counting a 404 among the client's failed tracking attempts."""
    db, client, limit = mongo.database(), client_address(), ratelimit.tracking_failures()
    ratelimit.check(db, limit, client)
    data = schema.load(json_body())
    try:
        found = find(db, data)
    except NotFound:
        ratelimit.take(db, limit, client)
        raise
    ratelimit.check_exact(db, limit, client)
    return jsonify(found)


@api.get("/complaints/nearby")
def get_nearby():
    """List the open complaints of a category near a point or at an address: already reported?

    Anonymous, so RATE_NEARBY listings per client: a sweep of the city is slow, and what it could
    learn of an unpublished complaint is no finer than its square anyway (services/tracking/nearby.py).
    """
    db, client, limit = mongo.database(), client_address(), ratelimit.nearby_listings()
    ratelimit.check(db, limit, client)
    query = _nearby_schema.load({key: value for key, value in request.args.items() if value.strip()})
    location = {"lat": query["lat"], "lon": query["lon"]} if "lat" in query else None
    with ratelimit.taken(db, limit, client):
        found = store.nearby_complaints(
            db,
            category=query["category"],
            location=location,
            address=query.get("address"),
            district=query.get("district"),
        )
    return jsonify({"items": found})


@api.post("/complaints/<number>/followers")
def post_follower(number: str):
    """Ask to be emailed at each step of a complaint someone else filed: 202, a link to confirm is sent.

    Requests count against RATE_SUBMISSIONS per client, and one for a number that does not exist
    against the failed tracking attempts (RATE_TRACKING_FAILURES): numbers cannot be swept here.
    """
    db, client = mongo.database(), client_address()
    submissions, failures = ratelimit.submissions(), ratelimit.tracking_failures()
    ratelimit.check(db, failures, client)
    ratelimit.check(db, submissions, client)
    data = _follow_schema.load(json_body())
    with ratelimit.taken(db, submissions, client):
        try:
            return jsonify(following.request(db, number, data["email"], data["language"])), 202
        except NotFound:
            ratelimit.take(db, failures, client)
            raise


@api.post("/complaints/<number>/followers/confirm")
def post_follower_confirmation(number: str):
    """Confirm a request to follow, with the token of the link emailed to the address."""
    data = _token_schema.load(json_body())
    return jsonify(following.confirm(mongo.database(), number, data["token"]))


@api.post("/complaints/<number>/unfollow")
def post_unfollow(number: str):
    """Stop a follower's emails, with the token of the link in each of them."""
    data = _token_schema.load(json_body())
    return jsonify(following.unfollow(mongo.database(), number, data["token"]))


@api.post("/alerts")
def post_alert():
    """Ask for the new published reports of a place by email: 202, a link to confirm is sent.

    The same answer whatever the address; requests count against RATE_SUBMISSIONS per client, as
    requests to follow do.
    """
    db, client, submissions = mongo.database(), client_address(), ratelimit.submissions()
    ratelimit.check(db, submissions, client)
    data = _alert_schema.load(json_body())
    names = accounts.catalogue_districts() if data.get("district") else None
    with ratelimit.taken(db, submissions, client):
        return jsonify(alerts.request(db, data, names)), 202


@api.post("/alerts/confirm")
def post_alert_confirmation():
    """Confirm a request for alerts, with the token of the link emailed to the address."""
    data = _alert_token_schema.load(json_body())
    return jsonify(alerts.confirm(mongo.database(), data["token"]))


@api.post("/alerts/unsubscribe")
def post_alert_unsubscription():
    """Stop an alert, with the token of the link in each of its emails."""
    data = _alert_token_schema.load(json_body())
    return jsonify(alerts.unsubscribe(mongo.database(), data["token"]))


@api.get("/complaints/<number>")
def get_complaint(number: str):
    """Return the complaint's public view to the holder of its access token."""
    return jsonify(domain.view(mongo.database(), _citizen(number)))


@api.post("/complaints/<number>/documents")
@bodies.accepts_uploads(uploads.document_bytes)
def post_document(number: str):
    """Add a PDF, JPEG or PNG document to the complaint."""
    number = _citizen(number)
    return jsonify(domain.add_document(mongo.database(), number, file_part(), by=Actor.CITIZEN)), 201


@api.get("/complaints/<number>/documents/<document_id>")
def get_document(number: str, document_id: str):
    """Download one of the complaint's documents."""
    document, content = domain.open_document(mongo.database(), _citizen(number), document_id)
    return send_document(document, content)


@api.get("/complaints/<number>/documents/<document_id>/thumb")
def get_document_thumb(number: str, document_id: str):
    """Return a photo's thumbnail: a JPEG of about 320 pixels, upright, without metadata."""
    copy = domain.open_copy(mongo.database(), _citizen(number), document_id, "thumb")
    return send_copy(*copy, "thumb")


@api.get("/complaints/<number>/documents/<document_id>/display")
def get_document_display(number: str, document_id: str):
    """Return a photo's display copy: a JPEG of about 1280 pixels, upright, without metadata."""
    copy = domain.open_copy(mongo.database(), _citizen(number), document_id, "display")
    return send_copy(*copy, "display")


@api.post("/complaints/<number>/remarks")
def post_remark(number: str):
    """Add a remark or suggestion about the handling of the complaint."""
    data = _remark_schema.load(json_body())
    number = _citizen(number)
    return jsonify(domain.add_remark(mongo.database(), number, data["text"])), 201


@api.post("/complaints/<number>/reopen")
def post_reopen(number: str):
    """Reopen an answered complaint, with a reason."""
    data = _reopen_schema.load(json_body())
    number = _citizen(number)
    return jsonify(domain.reopen(mongo.database(), number, data["reason"]))


@api.post("/complaints/<number>/feedback")
def post_feedback(number: str):
    """Rate the current answer: satisfaction 1-5, outcome, optional comment; once per answer."""
    data = _feedback_schema.load(json_body())
    number = _citizen(number)
    return jsonify(domain.rate(mongo.database(), number, data)), 201
