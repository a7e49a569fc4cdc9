"""The contract's error shape, and one table mapping exceptions to it."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from marshmallow import ValidationError
from pymongo.errors import ConnectionFailure, ServerSelectionTimeoutError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a client should see, with its status and code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields
        self.headers = headers or {}


class BadRequest(ApiError):
    status, code = 400, "validation_error"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"


class Unavailable(ApiError):
    status, code = 503, "service_unavailable"


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """Return the contract's error document."""
    error = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def allow(methods) -> str:
    """Return the value of an `Allow` header: the methods, each once, in order."""
    return ", ".join(sorted(set(methods)))


def http_headers(exc: HTTPException) -> dict[str, str]:
    """Return the headers werkzeug gives an HTTP error (a 405's `Allow`...), but its content type."""
    headers = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = allow(exc.valid_methods)
    return headers


def error_response(status: int, code: str, message: str, fields=None, headers=None):
    """Return a Flask response in the contract's error shape (Open311's, under /open311/)."""
    from common import open311

    if open311.is_open311():
        if fields:
            message += " " + "; ".join(f"{name}: {', '.join(map(str, why))}" for name, why in fields.items())
        return open311.error_response(status, message, headers)
    response = jsonify(error_body(code, message, fields))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register(app: Flask) -> None:
    """Map every exception a handler can raise to the contract's error shape."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError):
        fields = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return error_response(400, "validation_error", "The request is not valid.", fields)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        code = _HTTP_CODES.get(status, "error")
        return error_response(
            status, code, exc.description or code.replace("_", " "), headers=http_headers(exc)
        )

    @app.errorhandler(ConnectionFailure)
    def _store_down(exc: Exception):
        log.warning("document store unavailable", extra={"error": str(exc)})
        return error_response(503, "service_unavailable", "The document store is unavailable.")

    @app.errorhandler(ServerSelectionTimeoutError)
    def _store_timeout(exc: Exception):
        return _store_down(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error")
        return error_response(500, "internal_error", "An unexpected error occurred.")
