"""Intake's work: a valid complaint gets a number, deadlines and its submitted event; the catalogue."""

from __future__ import annotations

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import config, outbox, photos
from common.documents import store_document
from common.envelope import isoformat, utcnow
from common.errors import BadRequest, Conflict, NotFound
from common.vocabulary import Kind, Status
from services.intake import boundaries, events, model, numbers, rules, store
from services.intake.schemas import DISTRICT_FAR, DISTRICT_REQUIRED, LOCATION_OUTSIDE, check_catalogue


def catalog_view(db: Database) -> dict:
    """Return the public catalogue: kinds, active districts and categories."""
    current = store.active_catalog(db)
    return {
        "kinds": list(Kind),
        "districts": [
            {"code": code, "name": d["name"], "center": d.get("center")}
            for code, d in current["districts"].items()
        ],
        "categories": [
            {
                "code": code,
                "name": c["name"],
                "department": c["department"],
                "ack_days": c["ack_days"],
                "answer_days": c["answer_days"],
            }
            for code, c in current["categories"].items()
        ],
    }


def locate(districts: dict, location: dict | None) -> str | None:
    """Return the district a point is in: by its boundary, else by the nearest centre; else None.

    Of the districts without a boundary, the nearest centre within OPEN311_PLACEMENT_KM. The one
    rule that places a complaint by its point, whichever way it came (the citizen's form, the JSON
    API, a photo's position, Open311); a point that nothing places is outside the city.
    """
    return rules.locate(districts, location, config.settings().open311_placement_km)


def submit(
    db: Database,
    data: dict,
    documents: list[tuple[bytes, str, str]] = (),
    *,
    channel: dict | None = None,
    token: str | None = None,
    request_id: str | None = None,
) -> dict:
    """Record a validated complaint (and its checked documents) with its event; return the receipt.

    `channel` says where it came from when not the citizen's own form (an Open311 client); such a
    complaint may come without a district, for staff to place. `token` is an Open311 token that
    will name its number.

    Without a typed point, the first JPEG document carrying a GPS position gives the complaint its
    point. Without a district, the point places it in the nearest district (`locate`); a complaint
    of the citizen's own that still has none is refused (400 on `district`), nothing stored.

    The same submission sent again with the same `request_id` (the gateway trying another
    instance after one stopped with the request, or a client repeating its X-Request-ID) is
    recorded once: its first number is drawn from a keyed hash of the two, and finding that
    number taken by the same request answers with the first receipt.
    """
    current = store.active_catalog(db)
    check_catalogue(data, current["districts"], current["categories"])
    typed = data.get("location")
    data = {**data, "location": typed or photos.first_point(documents)}
    nearest = locate(current["districts"], data["location"])
    if typed and nearest is None and data.get("district") and channel is None:
        # A citizen's point beside the district they chose: a mistake to say, not to keep. An
        # Open311 request keeps its district, or waits for staff to place it (API.md).
        raise BadRequest(LOCATION_OUTSIDE, fields={"location": [LOCATION_OUTSIDE]})
    data["district"] = data.get("district") or nearest
    if data["district"] is None and channel is None:
        message = DISTRICT_FAR if data["location"] else DISTRICT_REQUIRED
        raise BadRequest(message, fields={"district": [message]})
    stored = [store_document(db, *document) for document in documents]
    category = current["categories"][data["category"]]
    district = current["districts"].get(data["district"])
    now = utcnow()
    repeat = rules.repeat_digest(config.settings().secret_key, request_id, data, (d["blob"] for d in stored))
    request = repeat.hex() if repeat else None
    for draw in range(8):
        first = draw == 0 and repeat is not None
        number = numbers.from_digest(now.year, repeat) if first else numbers.generate(now.year)
        document = model.filed_complaint(
            data,
            number=number,
            now=now,
            category=category,
            nearest=nearest,
            documents=stored,
            channel=channel,
            request=request,
        )
        event = events.complaint_submitted(document, category, district)
        if token:
            store.remember_token(db, token, document["_id"])
        try:
            store.create_complaint(db, document=document, events=[event])
            break
        except DuplicateKeyError:
            if first:
                earlier = store.find_complaint(db, number)
                if rules.same_request(earlier, request):
                    return _receipt(earlier)  # the same submission, recorded already
            continue  # a number already given: draw another
    else:
        raise RuntimeError("no free complaint number after 8 draws")
    outbox.publish_now(db, store.OUTBOX, document["_id"], [event])
    return _receipt(document)


def _receipt(complaint: dict) -> dict:
    return {
        "number": complaint["_id"],
        "status": Status.RECEIVED,
        "submitted_at": isoformat(complaint["submitted_at"]),
        "ack_due": isoformat(complaint["ack_due"]),
        "answer_due": isoformat(complaint["answer_due"]),
    }


CATALOG_KINDS = {"districts": store.DISTRICTS, "categories": store.CATEGORIES}


def _entry_view(entry: dict) -> dict:
    view = {"code": entry["_id"], **{k: v for k, v in entry.items() if k not in ("_id", "position")}}
    if "boundary" in view:
        view["boundary"] = boundaries.decode(view["boundary"])
    return view


def _stored(data: dict) -> dict:
    """Return an entry's fields as the store keeps them: a boundary as its GeoJSON text."""
    if "boundary" in data:
        return {**data, "boundary": boundaries.encode(data["boundary"])}
    return data


def full_catalog(db: Database) -> dict:
    """Return the catalogue as administrators see it, retired entries included."""
    current = store.full_catalog(db)
    return {"kinds": list(Kind), **{kind: [_entry_view(e) for e in current[kind]] for kind in CATALOG_KINDS}}


def add_catalog_entry(db: Database, kind: str, data: dict, *, by: str) -> dict:
    """Add a district or category; 409 when its code is taken."""
    entry = {"_id": data.pop("code"), "active": data.pop("active", True), **_stored(data)}
    audit = {"at": utcnow(), "by": by, "action": "created"}
    if not store.add_entry(db, CATALOG_KINDS[kind], entry, audit):
        raise Conflict("This code is taken.")
    return _entry_view({k: v for k, v in entry.items() if k != "history"})


def change_catalog_entry(db: Database, kind: str, code: str, data: dict, *, by: str) -> dict:
    """Rename, retire, reactivate or change the deadlines of an entry."""
    if kind == "categories" and rules.changes_one_deadline(data):
        current = next((c for c in store.full_catalog(db)["categories"] if c["_id"] == code), None)
        if current and not rules.deadlines_in_order(data, current):
            raise BadRequest(
                "Acknowledgement cannot be due after the answer.", fields={"ack_days": ["after answer_days"]}
            )
    audit = {"at": utcnow(), "by": by, "action": "changed", "changes": sorted(data)}
    entry = store.change_entry(db, CATALOG_KINDS[kind], code, _stored(data), audit)
    if entry is None:
        raise NotFound("No such entry.")
    return _entry_view(entry)
