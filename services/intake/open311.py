"""Open311 GeoReport v2, the catalogue side: discovery, the services and their definitions.

Service codes are the category codes; the district a request is for is the
attribute `district`, a single-value list of the catalogue's districts. Names
are given in French unless `locale` asks for `ar` or `en`.
"""

from __future__ import annotations

from flask import Blueprint, request

from common import config, mongo
from common.errors import NotFound
from common.open311 import PREFIX, respond
from services.intake import store
from services.intake.catalog import KINDS

open311 = Blueprint("open311", __name__, url_prefix=PREFIX)
FORMAT = "<any(json,xml):fmt>"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-28T00:00:00Z"
KIND_NAMES = {
    "fr": {"complaint": "Plainte", "claim": "Réclamation", "suggestion": "Suggestion"},
    "ar": {"complaint": "شكاية", "claim": "تظلم", "suggestion": "اقتراح"},
    "en": {"complaint": "Complaint", "claim": "Claim", "suggestion": "Suggestion"},
}
DISTRICT_LABEL = {"fr": "Arrondissement", "ar": "المقاطعة", "en": "District"}
KIND_LABEL = {"fr": "Nature de la demande", "ar": "نوع الطلب", "en": "Kind of request"}


def jurisdiction() -> str:
    """Return the city's jurisdiction id (a district code also names a jurisdiction)."""
    return config.get("OPEN311_JURISDICTION", "casablanca")


def _locale() -> str:
    locale = (request.args.get("locale") or "fr").strip()[:2].lower()
    return locale if locale in KIND_NAMES else "fr"


def _check_jurisdiction(districts: dict) -> None:
    given = (request.args.get("jurisdiction_id") or "").strip()
    if given and given != jurisdiction() and given not in districts:
        raise NotFound(f"Unknown jurisdiction_id {given!r}.")


def _catalogue() -> dict:
    current = store.active_catalog(mongo.database())
    _check_jurisdiction(current["districts"])
    return current


@open311.get(f"/discovery.{FORMAT}")
def discovery(fmt: str):
    """Where the API is, what it speaks, and who to contact."""
    base = config.get("PUBLIC_URL", request.host_url.rstrip("/")).rstrip("/")
    return respond(
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": config.get("OPEN311_CONTACT", f"{base}/ — the city's complaints service"),
            "key_service": f"{base}/ — API keys are issued by the city's administrators",
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": f"{base}{PREFIX}",
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        },
    )


def service(code: str, category: dict, locale: str) -> dict:
    """Return a category as an Open311 service."""
    names = category["name"]
    return {
        "service_code": code,
        "service_name": names[locale],
        "description": " / ".join(names[lang] for lang in ("fr", "ar", "en")),
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join([code, *(names[lang] for lang in ("fr", "ar", "en"))]),
        "group": category["department"],
    }


@open311.get(f"/services.{FORMAT}")
def services(fmt: str):
    """The active categories, as services."""
    locale = _locale()
    current = _catalogue()
    return respond("services", [service(code, c, locale) for code, c in current["categories"].items()])


@open311.get(f"/services/<service_code>.{FORMAT}")
def service_definition(service_code: str, fmt: str):
    """A service's attributes: the district (required) and the kind of request."""
    locale = _locale()
    current = _catalogue()
    if service_code not in current["categories"]:
        raise NotFound(f"No service has the code {service_code!r}.")
    districts = [{"key": key, "name": d["name"][locale]} for key, d in current["districts"].items()]
    kinds = [{"key": kind, "name": KIND_NAMES[locale][kind]} for kind in KINDS]
    return respond(
        "service_definition",
        {
            "service_code": service_code,
            "attributes": [
                {
                    "variable": True,
                    "code": "district",
                    "datatype": "singlevaluelist",
                    "required": True,
                    "datatype_description": None,
                    "order": 1,
                    "description": DISTRICT_LABEL[locale],
                    "values": districts,
                },
                {
                    "variable": True,
                    "code": "kind",
                    "datatype": "singlevaluelist",
                    "required": False,
                    "datatype_description": None,
                    "order": 2,
                    "description": KIND_LABEL[locale],
                    "values": kinds,
                },
            ],
        },
    )
