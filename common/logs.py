"""JSON logs carrying the request id, one object per line on stderr."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import uuid
from datetime import UTC, datetime

from common import config

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_service: str | None = None  # setup()'s, else SERVICE_NAME
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# json.dumps with these arguments builds an encoder for every line; one does (it keeps no state).
_encode = json.JSONEncoder(default=str, ensure_ascii=False).encode


def new_request_id() -> str:
    """Return a fresh request id."""
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """Return the request id of the work in progress, if any."""
    return request_id_var.get()


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object, with extra fields kept."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": _service or config.settings().service_name,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _encode(entry)


def setup(service: str, level: str | None = None) -> None:
    """Send every log of this process to stderr as JSON lines."""
    global _service
    _service = service
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel((level or config.settings().log_level).upper())
    # pika logs every failed connection attempt at error level; ours say it once, with context.
    logging.getLogger("pika").setLevel(logging.CRITICAL)
    for noisy in ("werkzeug", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
