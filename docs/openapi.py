"""docs/openapi.yaml's request bodies, written from the marshmallow schemas the views load them with.

The document is hand-written but for one block at the end of components/schemas, between two marker
comments: the JSON Schema of every request body, made by apispec's MarshmallowPlugin from the schema
its view loads (services/*/api.py, staff_api.py, open311.py), so that the document takes exactly
what the code takes. Each operation's requestBody refers to its component by name (BODIES); paths,
answers and prose stay as written. A field's words are its `metadata={"description": ...}`.

`python -m docs.openapi [docs/openapi.yaml]` rewrites the block (apispec is a development
dependency: the document, not this module, is what runs); tests/unit/test_openapi.py fails when
the document and the schemas disagree.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields

from common import schemas as edge
from common.vocabulary import Kind, Status
from services.intake import schemas as intake_schemas

DOCUMENT = Path(__file__).resolve().parent / "openapi.yaml"
BEGIN = "    # ---- Request bodies, generated from the marshmallow schemas: python -m docs.openapi\n"
END = "    # ---- End of the generated request bodies.\n"
REF = "#/components/schemas/"

# Each component and the schema (module:class) a view loads it with; nested schemas too. A schema
# moved or renamed elsewhere is one line to change here.
SCHEMAS = {
    "NewComplaint": "services.intake.schemas:ComplaintSchema",
    "Location": "services.intake.schemas:LocationSchema",
    "Citizen": "services.intake.schemas:CitizenSchema",
    "TrackingRequest": "services.tracking.schemas:TrackingRequestSchema",
    "TrackingLink": "services.tracking.schemas:LinkRequestSchema",
    "FollowRequest": "services.tracking.schemas:FollowSchema",
    "FollowerToken": "services.tracking.schemas:FollowerTokenSchema",
    "AlertRequest": "services.tracking.schemas:AlertRequestSchema",
    "AlertToken": "services.tracking.schemas:AlertTokenSchema",
    "NewRemark": "services.tracking.schemas:RemarkSchema",
    "Reopening": "services.tracking.schemas:ReopenSchema",
    "NewRating": "services.tracking.schemas:FeedbackSchema",
    "Login": "services.tracking.schemas:LoginSchema",
    "Transition": "services.tracking.schemas:TransitionSchema",
    "NewAssignment": "services.tracking.schemas:AssignmentSchema",
    "Placement": "services.tracking.schemas:PlacementSchema",
    "Merge": "services.tracking.schemas:MergeSchema",
    "NewNote": "services.tracking.schemas:NoteSchema",
    "CitizenEmail": "services.tracking.schemas:CitizenRequestSchema",
    "NewMember": "services.tracking.schemas:StaffMemberSchema",
    "MemberChange": "services.tracking.schemas:StaffChangeSchema",
    "NewDistrict": "services.intake.schemas:DistrictSchema",
    "DistrictChange": "services.intake.schemas:DistrictChangeSchema",
    "NewCategory": "services.intake.schemas:CategorySchema",
    "CategoryChange": "services.intake.schemas:CategoryChangeSchema",
    "EntryNames": "services.intake.schemas:NamesSchema",
    "NewApiKey": "services.intake.schemas:ApiKeySchema",
    "NewCannedAnswer": "services.intake.schemas:AnswerSchema",
    "CannedAnswerChange": "services.intake.schemas:AnswerChangeSchema",
    "CannedAnswerTexts": "services.intake.schemas:AnswerTextsSchema",
    "Open311Request": "services.intake.open311:ServiceRequestSchema",
}
# The catalogue's views load one schema or the other by the path's `kind` (intake/staff_api.py).
EITHER = {
    "NewCatalogEntry": ("NewDistrict", "NewCategory"),
    "CatalogEntryChange": ("DistrictChange", "CategoryChange"),
}
# Each operation's body: the component of each media type a schema reads.
JSON = "application/json"
BODIES = {
    ("post", "/api/v1/complaints"): {JSON: "NewComplaint"},
    ("post", "/api/v1/tracking"): {JSON: "TrackingRequest"},
    ("post", "/api/v1/tracking/link"): {JSON: "TrackingLink"},
    ("post", "/api/v1/complaints/{number}/followers"): {JSON: "FollowRequest"},
    ("post", "/api/v1/complaints/{number}/followers/confirm"): {JSON: "FollowerToken"},
    ("post", "/api/v1/complaints/{number}/unfollow"): {JSON: "FollowerToken"},
    ("post", "/api/v1/alerts"): {JSON: "AlertRequest"},
    ("post", "/api/v1/alerts/confirm"): {JSON: "AlertToken"},
    ("post", "/api/v1/alerts/unsubscribe"): {JSON: "AlertToken"},
    ("post", "/api/v1/complaints/{number}/remarks"): {JSON: "NewRemark"},
    ("post", "/api/v1/complaints/{number}/reopen"): {JSON: "Reopening"},
    ("post", "/api/v1/complaints/{number}/feedback"): {JSON: "NewRating"},
    ("post", "/api/v1/staff/login"): {JSON: "Login"},
    ("post", "/api/v1/staff/complaints/{number}/transitions"): {JSON: "Transition"},
    ("post", "/api/v1/staff/complaints/{number}/assignment"): {JSON: "NewAssignment"},
    ("post", "/api/v1/staff/complaints/{number}/district"): {JSON: "Placement"},
    ("post", "/api/v1/staff/complaints/{number}/merge"): {JSON: "Merge"},
    ("post", "/api/v1/staff/complaints/{number}/notes"): {JSON: "NewNote"},
    ("post", "/api/v1/staff/citizens/export"): {JSON: "CitizenEmail"},
    ("post", "/api/v1/staff/citizens/erasure"): {JSON: "CitizenEmail"},
    ("post", "/api/v1/staff/members"): {JSON: "NewMember"},
    ("patch", "/api/v1/staff/members/{username}"): {JSON: "MemberChange"},
    ("post", "/api/v1/staff/catalog/{kind}"): {JSON: "NewCatalogEntry"},
    ("patch", "/api/v1/staff/catalog/{kind}/{code}"): {JSON: "CatalogEntryChange"},
    ("post", "/api/v1/staff/open311-keys"): {JSON: "NewApiKey"},
    ("post", "/api/v1/staff/answers"): {JSON: "NewCannedAnswer"},
    ("patch", "/api/v1/staff/answers/{answer_id}"): {JSON: "CannedAnswerChange"},
    ("post", "/open311/v2/requests.{fmt}"): {
        "application/x-www-form-urlencoded": "Open311Request",
        "multipart/form-data": "Open311Request",
    },
}
# The bodies no schema reads, written by hand: a document's file part (tracking/api.py file_part),
# and the complaint's JSON carried in a form field (intake/api.py submission).
HAND_WRITTEN = {
    ("post", "/api/v1/complaints"): {"multipart/form-data", "application/x-www-form-urlencoded"},
    ("post", "/api/v1/complaints/{number}/documents"): {"multipart/form-data"},
    ("post", "/api/v1/staff/complaints/{number}/documents"): {"multipart/form-data"},
}


def schema_class(name: str) -> type:
    """Return the marshmallow schema a component is made from."""
    module, _, attribute = SCHEMAS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def _beyond_the_fields() -> dict[str, dict]:
    """Return what the code checks beyond the fields' validators, from the values it checks against."""
    return {
        # ComplaintSchema._consent_given refuses anything but true.
        "NewComplaint": {"properties": {"consent": {"const": True}}},
        # treatment.transition refuses (400) a `to` that is no status.
        "Transition": {"properties": {"to": {"enum": list(Status)}}},
        # keys.check refuses (403) a request without an api_key; open311._form takes the attributes
        # beside the schema's fields (any other attribute is a 400).
        "Open311Request": {
            "required": ["api_key"],
            "properties": {
                "attribute[district]": {"type": "string", "description": "A district code."},
                "attribute[kind]": {"type": "string", "enum": list(Kind), "default": Kind.COMPLAINT},
                "attribute[publish]": {
                    "type": "string",
                    "enum": ["true", "false"],
                    "default": "false",
                    "description": "The citizen's consent to publish the description, address and location.",
                },
            },
        },
        "NewCatalogEntry": {"description": "A district when `kind` is `districts`, else a category."},
        "CatalogEntryChange": {"description": "A district's change, or a category's, by `kind`."},
    }


def _merge(into: dict, extra: dict) -> dict:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif isinstance(value, list) and isinstance(into.get(key), list):
            into[key] += [item for item in value if item not in into[key]]
        else:
            into[key] = value
    return into


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def request_bodies() -> dict[str, dict]:
    """Return the JSON Schema of every request body's component, by name, as the document holds it."""
    names = {schema_class(name): name for name in SCHEMAS}

    def name_of(schema) -> str:
        cls = schema if isinstance(schema, type) else type(schema)
        if cls not in names:
            raise LookupError(f"{cls.__module__}.{cls.__name__} is nested in a body: name it in SCHEMAS")
        return names[cls]

    plugin = MarshmallowPlugin(schema_name_resolver=name_of)
    spec = APISpec("request bodies", "1", "3.1.0", plugins=[plugin])
    # The edge's own fields (common/schemas.py), named rather than found by inheritance.
    plugin.map_to_openapi_type(edge.Text, "string", None)
    plugin.map_to_openapi_type(edge.Email, "string", "email")
    plugin.map_to_openapi_type(edge.Number, "number", None)
    plugin.map_to_openapi_type(edge.Whole, "integer", None)
    plugin.map_to_openapi_type(edge.Flag, "boolean", None)
    plugin.map_to_openapi_type(fields.Url, "string", "uri")  # JSON Schema's name; apispec says "url"
    plugin.map_to_openapi_type(intake_schemas.Boundary, "object", None)  # GeoJSON, checked in the code
    for name in SCHEMAS:
        if name not in spec.components.schemas:  # a nested schema is in once its parent is
            spec.components.schema(name, schema=schema_class(name))
    for name, either in EITHER.items():
        spec.components.schema(name, {"anyOf": [{"$ref": REF + one} for one in either]})
    found = spec.to_dict()["components"]["schemas"]
    for name, extra in _beyond_the_fields().items():
        _merge(found[name], extra)
    # Plain data: JSON's types (a StrEnum becomes its string, a tuple a list, 90.0 is 90).
    return json.loads(json.dumps(found), parse_float=_number)


class _Dumper(yaml.SafeDumper):
    """YAML as the document is written: a short mapping or list on one line, long text folded."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # a list's items indented under its key


def _short(data) -> bool:
    """Whether data fits on one line in flow style (about its JSON, quotes left out)."""
    return len(json.dumps(data, ensure_ascii=False).replace('"', "")) <= 76


def _mapping(dumper: yaml.SafeDumper, data: dict):
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=_short(data))


def _sequence(dumper: yaml.SafeDumper, data: list):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=_short(data))


def _text(dumper: yaml.SafeDumper, data: str):
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=">" if len(data) > 72 else None)


_Dumper.add_representer(dict, _mapping)
_Dumper.add_representer(list, _sequence)
_Dumper.add_representer(str, _text)


def block(bodies: dict[str, dict]) -> str:
    """Return the components as the lines of the document's generated block, markers included."""
    text = yaml.dump(bodies, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=90)
    return BEGIN + "".join(f"    {line}\n" for line in text.splitlines()) + END


def generated_part(text: str) -> str:
    """Return the document's generated block, markers included."""
    start, end = text.index(BEGIN), text.index(END)
    return text[start : end + len(END)]


def unreferenced(document: dict) -> list[str]:
    """Return the operations whose body does not refer to its component, or has no source."""
    problems = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            body = operation["requestBody"]
            if "$ref" in body:  # a shared one, #/components/requestBodies/...
                body = document["components"]["requestBodies"][body["$ref"].rsplit("/", 1)[1]]
            content = body.get("content", {})
            wanted = BODIES.get((method, path), {})
            for media in content.keys() - wanted.keys() - HAND_WRITTEN.get((method, path), set()):
                problems.append(f"{method.upper()} {path} {media}: no schema in docs/openapi.py's BODIES")
            for media, name in wanted.items():
                if content.get(media, {}).get("schema") != {"$ref": REF + name}:
                    problems.append(f"{method.upper()} {path} {media}: write schema: {{$ref: '{REF}{name}'}}")
    return problems


def write(path: Path = DOCUMENT) -> None:
    """Rewrite the document's generated block from the schemas; refuse when an operation lacks its ref."""
    text = path.read_text(encoding="utf-8")
    problems = unreferenced(yaml.safe_load(text))
    if problems:
        raise SystemExit("\n".join(problems))
    path.write_text(text.replace(generated_part(text), block(request_bodies())), encoding="utf-8")


def main(argv: list[str]) -> int:
    """Rewrite the request bodies of the document: `python -m docs.openapi docs/openapi.yaml`."""
    path = Path(argv[0]) if argv else DOCUMENT
    write(path)
    print(f"wrote the request bodies of {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
