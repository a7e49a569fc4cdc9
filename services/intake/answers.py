"""Canned answers: administrators write them per category and target status, in three languages;
staff start a public note from one."""

from __future__ import annotations

import uuid

from pymongo.database import Database

from common.envelope import isoformat, utcnow
from common.errors import BadRequest, NotFound
from services.intake import store


def view(answer: dict) -> dict:
    """Return a canned answer as the staff API gives it."""
    return {
        "id": answer["_id"],
        "category": answer["category"],
        "status": answer["status"],
        "title": answer["title"],
        "text": answer["text"],
        "updated_at": isoformat(answer["updated_at"]),
        "updated_by": answer["updated_by"],
    }


def _check_category(db: Database, code: str) -> None:
    """Refuse a category the catalogue does not have (a retired one still has its answers)."""
    if not any(c["_id"] == code for c in store.full_catalog(db)["categories"]):
        raise BadRequest("Unknown category.", fields={"category": ["unknown category"]})


def listing(db: Database, query: dict) -> list[dict]:
    """Return the canned answers, of a category and status when asked."""
    match = {key: value for key, value in query.items() if value is not None}
    return [view(a) for a in store.list_answers(db, match)]


def create(db: Database, data: dict, *, by: str) -> dict:
    """Add a canned answer for a category and a target status."""
    _check_category(db, data["category"])
    answer = {"_id": uuid.uuid4().hex, **data, "updated_at": utcnow(), "updated_by": by}
    store.add_answer(db, answer)
    return view(answer)


def change(db: Database, answer_id: str, data: dict, *, by: str) -> dict:
    """Change a canned answer's category, status, title or texts."""
    if "category" in data:
        _check_category(db, data["category"])
    changed = store.change_answer(db, answer_id, {**data, "updated_at": utcnow(), "updated_by": by})
    if changed is None:
        raise NotFound("No such answer.")
    return view(changed)


def remove(db: Database, answer_id: str) -> None:
    """Delete a canned answer."""
    if not store.remove_answer(db, answer_id):
        raise NotFound("No such answer.")
