"""Feedback's read model, without personal data.

`feedback_complaints` holds what each complaint contributes to the figures (its
facts and the counters it has added), and `feedback_cells` the counters of each
district, category and month of submission, and of each district, each
category and the whole city per month (`*` standing for all), so that any
filter reads one cell per month, by `_id`. A change of a complaint's facts
adds the difference of its contribution to its cell, as an operation that is
applied exactly once: it is recorded on the complaint (and noted in
`feedback_pending`) before it is applied, and the cell remembers the pending
operations it has applied.
"""

from __future__ import annotations

from collections.abc import Iterator

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import locks
from common.envelope import utcnow

COMPLAINTS = "feedback_complaints"
CELLS = "feedback_cells"
# The operations recorded in a complaint's record and not yet all applied: what the cells must
# remember having applied (and only that), and what the periodic pass finishes.
PENDING = "feedback_pending"
# The months that have a complaint: what a period without bounds covers.
MONTHS = "feedback_months"
REBUILD_LOCK = "feedback:rebuild"
# Tracking's complaints: read by the rebuild only, the one place a service reads another's collection.
TRACKING_COMPLAINTS = "tracking_complaints"
# The rebuild renews its lock as it goes; a lock older than this belongs to a rebuild that stopped.
REBUILD_LEASE = 60.0


def ensure_indexes(db: Database) -> None:
    """Create feedback's indexes."""
    db[PENDING].create_index([("number", ASCENDING)])


def guard(db: Database, number: str):
    """Return the lock every writer of a complaint's contribution holds."""
    return locks.locked(db, f"{COMPLAINTS}:{number}")


def find(db: Database, number: str) -> dict | None:
    """Return a complaint's facts and contribution, or None."""
    return db[COMPLAINTS].find_one({"_id": number})


def put(db: Database, record: dict) -> None:
    """Write a complaint's whole record, as read and changed under its lock."""
    db[COMPLAINTS].replace_one({"_id": record["_id"]}, record, upsert=True)


# Histograms are stored as one text of `bucket:count` pairs: a cell of the whole city holds hundreds
# of buckets, which the store would otherwise encode and decode one field at a time.
HISTOGRAMS = ("ack_minutes", "answer_minutes")


def _packed(counters: dict) -> dict:
    packed = dict(counters)
    for name in HISTOGRAMS:
        if name in packed:
            buckets = sorted((int(key[1:]), count) for key, count in packed[name].items() if count)
            packed[name] = " ".join(f"{bucket}:{count}" for bucket, count in buckets)
    return packed


def _unpacked(counters: dict) -> dict:
    unpacked = dict(counters)
    for name in HISTOGRAMS:
        if isinstance(unpacked.get(name), str):
            pairs = (pair.split(":") for pair in unpacked[name].split())
            unpacked[name] = {f"m{bucket}": int(count) for bucket, count in pairs}
    return unpacked


def _add(counters: dict, key: str, value: int) -> None:
    *parents, leaf = key.split(":")
    for parent in parents:
        counters = counters.setdefault(parent, {})
    counters[leaf] = counters.get(leaf, 0) + value


def apply_operations(db: Database, operations: list[dict]) -> None:
    """Add each operation's counters to its cell, unless the cell has already applied it.

    The cells of one month are changed under one lock: every operation reaches the city's cell of
    its month anyway, so a lock per cell would let no more run at once, for three more locks.
    """
    for month in sorted({operation["month"] for operation in operations}):
        with locks.locked(db, f"{CELLS}:{month}"):
            live = pending_ids(db)
            for operation in operations:
                if operation["month"] == month:
                    _apply(db, operation, live)


def _apply(db: Database, operation: dict, live: set[str]) -> None:
    cell = db[CELLS].find_one({"_id": operation["cell"]}) or {
        "_id": operation["cell"],
        "district": operation["district"],
        "category": operation["category"],
        "month": operation["month"],
        "n": {},
        "ops": {},
    }
    if operation["id"] in cell.get("ops", {}):
        return
    if not cell.get("n"):
        add_month(db, operation["month"])
    counters = _unpacked(cell.get("n", {}))
    for key, value in operation["inc"].items():
        _add(counters, key, value)
    cell["n"] = _packed(counters)
    # Remember the operations still pending, and only those: one that has left its complaint's
    # record is never applied again, and a cell that kept them all would grow with every event.
    cell["ops"] = {op: at for op, at in cell.get("ops", {}).items() if op in live}
    cell["ops"][operation["id"]] = utcnow()
    db[CELLS].replace_one({"_id": cell["_id"]}, cell, upsert=True)


def cell_document(cell: str, counters: dict) -> dict:
    """Return a cell's document holding these counters (a rebuild)."""
    district, category, month = cell.split("|")
    nested: dict = {}
    for key, value in counters.items():
        _add(nested, key, value)
    return {
        "_id": cell,
        "district": district,
        "category": category,
        "month": month,
        "n": _packed(nested),
        "ops": {},
    }


def note_pending(db: Database, number: str, operations: list[dict]) -> None:
    """Note a complaint's operations as pending (before its record holds them)."""
    at = utcnow()
    notes = [{"_id": op["id"], "number": number, "at": at} for op in operations]
    db[PENDING].insert_many(notes, ordered=False)


def forget_pending(db: Database, operation_ids: list[str]) -> None:
    """Forget operations that have left their complaint's record."""
    if operation_ids:
        db[PENDING].delete_many({"_id": {"$in": operation_ids}})


def pending_of(db: Database, number: str) -> list[str]:
    """Return the ids of a complaint's operations noted as pending."""
    return [doc["_id"] for doc in db[PENDING].find({"number": number}, {"_id": 1})]


def pending_ids(db: Database) -> set[str]:
    """Return the ids of the pending operations (a small collection: the ones in flight)."""
    return {doc["_id"] for doc in db[PENDING].find({}, {"_id": 1})}


def with_pending(db: Database) -> list[str]:
    """Return the complaints whose operations were left unfinished (a process stopped midway)."""
    return sorted({doc["number"] for doc in db[PENDING].find({}, {"number": 1})})


def add_month(db: Database, month: str) -> None:
    """Note that a month has complaints."""
    try:
        db[MONTHS].insert_one({"_id": month})
    except DuplicateKeyError:
        pass


def months(db: Database) -> list[str]:
    """Return the months that have complaints, in order."""
    return sorted(doc["_id"] for doc in db[MONTHS].find({}, {"_id": 1}))


def cell(db: Database, cell_id: str) -> dict:
    """Return the counters of one cell (none when no complaint is in it)."""
    found = db[CELLS].find_one({"_id": cell_id}, {"n": 1})
    return _unpacked(found["n"]) if found else {}


def rebuilding(db: Database) -> bool:
    """Return whether a rebuild of the read model is under way."""
    return locks.held_recently(db, REBUILD_LOCK, REBUILD_LEASE)


def tracked_complaints(db: Database, fields: tuple[str, ...]) -> Iterator[dict]:
    """Yield every complaint as tracking keeps it, with these fields (a rebuild)."""
    yield from db[TRACKING_COMPLAINTS].find({}, dict.fromkeys(fields, 1))


def records(db: Database, fields: tuple[str, ...]) -> Iterator[dict]:
    """Yield every complaint's record, with these fields (a rebuild)."""
    yield from db[COMPLAINTS].find({}, dict.fromkeys(fields, 1))


def replace_cells(db: Database, cells: list[dict]) -> None:
    """Make these the only cells, and their months the only months (a rebuild)."""
    for document in cells:
        db[CELLS].replace_one({"_id": document["_id"]}, document, upsert=True)
        add_month(db, document["month"])
    db[CELLS].delete_many({"_id": {"$nin": [document["_id"] for document in cells]}})
    db[MONTHS].delete_many({"_id": {"$nin": sorted({document["month"] for document in cells})}})
