"""The write side of the figures: what each event changes in a complaint's facts, added to its cells once."""

from __future__ import annotations

import uuid

from pymongo.database import Database

from common.consumer import DependencyUnavailable
from services.feedback import rules, store
from services.feedback.model import FactsChange, Operation, Record


def observe(db: Database, number: str, change: FactsChange) -> None:
    """Apply a change of a complaint's facts and add the difference it makes to the figures.

    The operations are recorded on the complaint (and noted as pending) before they reach the
    cells, so a process stopped at any point leaves them to be applied once, later.
    """
    with store.guard(db, number):
        if store.rebuilding(db):
            raise DependencyUnavailable("the quality figures are being rebuilt")
        record = _settled(db, store.find(db, number) or {"_id": number})
        changes = change(record)
        if not changes:
            return
        record.update(changes)
        target = rules.contribution(record)
        operations = _identified(rules.differences(record.get("counted", {}), target))
        record["counted"] = target
        if operations:
            record["pending"] = operations
            store.note_pending(db, number, operations)
        store.put(db, record)
        _settled(db, record)


def _identified(operations: list[Operation]) -> list[Operation]:
    # The cells remember the ids of the operations they applied: an id is what makes one apply once.
    return [{"id": uuid.uuid4().hex, **operation} for operation in operations]


def _settled(db: Database, record: Record) -> Record:
    """Apply the record's operations (again, harmlessly, after a stop midway); return it without them."""
    operations = record.pop("pending", [])
    if operations:
        store.apply_operations(db, operations)
        store.put(db, record)
        store.forget_pending(db, [operation["id"] for operation in operations])
    return record


def settle_unfinished(db: Database) -> int:
    """Finish the operations a stopped process left recorded; return how many complaints had some."""
    if store.rebuilding(db):
        return 0
    numbers = store.with_pending(db)
    for number in numbers:
        with store.guard(db, number):
            record = store.find(db, number) or {}
            held = {operation["id"] for operation in record.get("pending", [])}
            if held:
                _settled(db, record)
            # Notes whose record does not hold them: a stop between the record and the note.
            store.forget_pending(db, [op for op in store.pending_of(db, number) if op not in held])
    return len(numbers)
