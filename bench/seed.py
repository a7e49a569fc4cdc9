"""A history of complaints, written in bulk as intake and tracking keep them.

Each seeded complaint is built by the services' own code (intake's document and submitted event,
tracking's record of that event) and then carried through its life as the platform would have:
acknowledged, answered and closed within weeks, at some time in the last twenty months. None is
due, overdue or past its retention, so the periodic jobs have nothing to do with them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

from pymongo.database import Database
from pymongo.errors import BulkWriteError

from common.envelope import utcnow
from common.vocabulary import Kind, Language
from services.intake import events as intake_events
from services.intake import model, numbers
from services.intake import store as intake_store
from services.tracking import handlers as tracking_handlers
from services.tracking import search
from services.tracking import store as tracking_store
from services.tracking.schemas import SubmittedSchema

BATCH = 1000


def _step(at, status: str, by: str) -> dict:
    return {"at": at, "status": status, "note": None, "by": by, "event_id": None}


def complaints(db: Database, count: int, tag: str, rng: random.Random) -> Iterator[tuple[dict, dict]]:
    """Yield (intake's document, tracking's document) for `count` closed complaints."""
    catalogue = intake_store.active_catalog(db)
    districts, categories = list(catalogue["districts"].items()), list(catalogue["categories"].items())
    schema = SubmittedSchema()
    now = utcnow().replace(microsecond=0)
    for index in range(count):
        (district_code, district), (category_code, category) = rng.choice(districts), rng.choice(categories)
        submitted = now - timedelta(days=40 + rng.randrange(560), seconds=rng.randrange(86400))
        fields = {
            "kind": rng.choice((Kind.COMPLAINT, Kind.COMPLAINT, Kind.CLAIM)),
            "category": category_code,
            "district": district_code,
            "subject": f"Réclamation {index}",
            "description": "Un trou profond devant le numéro 12, signalé depuis des semaines.",
            "address": f"{index % 200 + 1} rue des Oliviers",
            "location": None,
            "citizen": {
                "name": "Banc d'essai",
                "email": f"{tag}-{index}@bench.example",
                "language": Language.FR,
            },
        }
        number = numbers.generate(submitted.year)
        document = model.filed_complaint(fields, number=number, now=submitted, category=category)
        event = intake_events.complaint_submitted(document, category, district)
        record = tracking_handlers.submitted_document(schema.load(event["data"]), event["id"])
        acknowledged = submitted + timedelta(hours=1 + rng.randrange(72))
        answered = acknowledged + timedelta(days=1 + rng.randrange(20))
        closed = answered + timedelta(days=15)
        record.update(
            status="closed",
            acknowledged_at=acknowledged,
            answered_at=answered,
            closed_at=closed,
            answer_seq=1,
            updated_at=closed,
            recorded_at=submitted,
        )
        record["timeline"] += [
            _step(acknowledged, "acknowledged", "staff"),
            _step(answered, "resolved", "staff"),
            _step(closed, "closed", "system"),
        ]
        yield document, record


def seed(db: Database, count: int, tag: str, seed: int = 20261128) -> list[tuple[str, str]]:
    """Write `count` complaints to intake's and tracking's collections; return (number, email)."""
    rng = random.Random(seed)
    pairs: list[tuple[str, str]] = []
    intake_batch, tracking_batch = [], []

    def insert(collection: str, batch: list[dict]) -> set[int]:
        """Insert the batch; return the positions refused (a number drawn twice)."""
        try:
            db[collection].insert_many(batch, ordered=False)
            return set()
        except BulkWriteError as exc:
            return {error["index"] for error in exc.details["writeErrors"]}

    def flush() -> None:
        refused = insert(intake_store.COMPLAINTS, intake_batch) | insert(
            tracking_store.COMPLAINTS, tracking_batch
        )
        pairs.extend(
            (d["_id"], d["citizen"]["email"]) for i, d in enumerate(intake_batch) if i not in refused
        )
        search.index(db, (r for i, r in enumerate(tracking_batch) if i not in refused))
        intake_batch.clear()
        tracking_batch.clear()

    for document, record in complaints(db, count, tag, rng):
        intake_batch.append(document)
        tracking_batch.append(record)
        if len(intake_batch) == BATCH:
            flush()
    if intake_batch:
        flush()
    return pairs
