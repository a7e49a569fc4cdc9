"""The AsyncAPI document of the events, as a validator of the events the services publish."""

from __future__ import annotations

from pathlib import Path

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[1]
ASYNCAPI = ROOT / "docs" / "asyncapi.yaml"
# The routing keys of the platform's own events (tests publish others, `test.*`, of their own).
PLATFORM_KEYS = ("complaint.#", "staff.#", "notification.#", "alert.#")


class EventContract:
    """Validate events against the payload schemas of docs/asyncapi.yaml."""

    def __init__(self, path: Path = ASYNCAPI):
        self.document = yaml.safe_load(path.read_text())
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self.registry = Registry().with_resource("urn:asyncapi", resource)
        self.messages = self.document["components"]["messages"]
        self.keys = {message["name"]: key for key, message in self.messages.items()}
        self._validators: dict[str, Draft202012Validator] = {}

    def validator(self, key: str) -> Draft202012Validator:
        """Return the validator of one message of the document."""
        if key not in self._validators:
            schema = {"$ref": f"urn:asyncapi#/components/messages/{key}/payload"}
            self._validators[key] = Draft202012Validator(
                schema, registry=self.registry, format_checker=FormatChecker()
            )
        return self._validators[key]

    def errors(self, event: dict) -> list[str]:
        """Return what is wrong with an event, or nothing when it validates."""
        key = self.keys.get(event.get("type"))
        if key is None:
            return [f"{event.get('type')!r} is not in {ASYNCAPI.name}"]
        return [
            f"{event['type']} {'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in self.validator(key).iter_errors(event)
        ]


def check_published(events: list[dict]) -> None:
    """Fail with the first problems when an event does not validate against the document."""
    contract = EventContract()
    problems = [problem for event in events for problem in contract.errors(event)]
    assert not problems, f"{len(problems)} problems in {len(events)} published events: {problems[:10]}"


class Capture:
    """A durable queue bound to the platform's events for a whole test session.

    Durable, so that it survives the tests that stop and restart the broker; drained and deleted
    at the end.
    """

    def __init__(self, amqp_url: str, exchange: str):
        import uuid

        self.amqp_url, self.exchange = amqp_url, exchange
        self.queue = f"contract-check.{uuid.uuid4().hex[:8]}"

    def _channel(self):
        import pika

        connection = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
        return connection, connection.channel()

    def start(self) -> Capture:
        connection, channel = self._channel()
        channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        channel.queue_declare(self.queue, durable=True)
        for key in PLATFORM_KEYS:
            channel.queue_bind(self.queue, self.exchange, routing_key=key)
        connection.close()
        return self

    def finish(self) -> list[dict]:
        """Return every event captured, and delete the queue."""
        from common import envelope

        connection, channel = self._channel()
        events = []
        method, _props, body = channel.basic_get(self.queue, auto_ack=True)
        while method is not None:
            events.append(envelope.decode(body))
            method, _props, body = channel.basic_get(self.queue, auto_ack=True)
        channel.queue_delete(self.queue)
        connection.close()
        return events


class HttpContract:
    """Check the gateway's answers against the response schemas of docs/openapi.yaml."""

    def __init__(self, path: Path = ROOT / "docs" / "openapi.yaml"):
        import re

        self.document = yaml.safe_load(path.read_text())
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self.registry = Registry().with_resource("urn:openapi", resource)
        self.operations = [
            (re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$"), template)
            for template in self.document["paths"]
        ]
        self.problems: list[str] = []
        self.checked = 0

    def _schema_errors(self, pointer: str, body) -> list[str]:
        from urllib.parse import quote

        schema = {"$ref": "urn:openapi#" + quote(pointer, safe="/~")}
        validator = Draft202012Validator(schema, registry=self.registry, format_checker=FormatChecker())
        return [
            f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}"
            for error in validator.iter_errors(body)
        ]

    def check(self, response) -> None:
        """Record what is wrong with one answer (requests' response hook)."""
        from urllib.parse import urlsplit

        method, path = response.request.method.lower(), urlsplit(response.url).path
        where = f"{method.upper()} {path} {response.status_code}"
        template = next((t for pattern, t in self.operations if pattern.match(path)), None)
        operation = self.document["paths"].get(template, {}).get(method) if template else None
        content_type = response.headers.get("Content-Type", "").split(";")[0]
        if response.status_code == 405 and "Allow" not in response.headers:
            self.problems.append(f"{where}: a 405 without Allow")
        if operation is None or str(response.status_code) not in operation["responses"]:
            # Any path may answer an error of the contract's shape (503 when a service is down, 404...),
            # Open311's under /open311/.
            if response.status_code >= 400 and content_type == "application/json":
                pointer = "/components/schemas/Error"
                if path.startswith("/open311/"):
                    pointer = "/components/responses/Open311Error/content/application~1json/schema"
            else:
                self.problems.append(f"{where}: not in openapi.yaml")
                return
        else:
            pointer = "/paths/" + template.replace("~", "~0").replace("/", "~1")
            pointer += f"/{method}/responses/{response.status_code}"
            answer = operation["responses"][str(response.status_code)]
            if "$ref" in answer:
                pointer = answer["$ref"][1:]
                answer = self.document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
            if not content_type and not response.content and "content" not in answer:
                return  # an answer without a body, documented as such (204)
            if content_type not in answer.get("content", {}):
                self.problems.append(f"{where}: {content_type} is not documented")
                return
            if content_type != "application/json":
                self.checked += 1
                return
            pointer += "/content/application~1json/schema"
        self.checked += 1
        self.problems += [f"{where}: {error}" for error in self._schema_errors(pointer, response.json())]


OPEN311_SCHEMAS = ROOT.parent / "shared" / "open311" / "georeport-v2"


def open311_validator(name: str) -> Draft202012Validator:
    """Return a validator for one of GeoReport v2's published JSON Schemas (`services.json`...),
    or for a list of one of the Swagger document's definitions (`RequestResponse`, `TokenResponse`).

    They are draft-04 documents that refer to each other by file name; they are read here from
    `../shared/open311/`, or from the copy in `tests/open311/` when the checkout stands alone.
    """
    import json

    from jsonschema import Draft4Validator
    from referencing.jsonschema import DRAFT4

    folder = OPEN311_SCHEMAS if OPEN311_SCHEMAS.exists() else ROOT / "tests" / "open311"
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT4))
        for path in folder.glob("*.json")
    ]
    registry = Registry().with_resources(resources)
    if name in ("RequestResponse", "TokenResponse"):  # answers only the Swagger document describes
        return Draft4Validator(
            {"type": "array", "minItems": 1, "items": {"$ref": f"swagger.json#/definitions/{name}"}},
            registry=registry,
        )
    return Draft4Validator({"$ref": name}, registry=registry)
