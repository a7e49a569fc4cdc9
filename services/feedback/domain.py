"""Feedback's rules: what each complaint adds to the quality figures, and the figures themselves.

Every figure belongs to the month a complaint was submitted in (a cohort): of
the complaints received in March, how many were answered, how fast, how often
reopened, how their answers were rated. A complaint's facts come from the
events; its contribution to its cell is a function of those facts alone, so a
redelivered or late event changes nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from pymongo.database import Database

from common.consumer import DependencyUnavailable
from services.feedback import store

ANSWERED = ("resolved", "rejected")
OUTCOMES = ("resolved", "partially_resolved", "not_resolved")
SATISFACTION = (1, 2, 3, 4, 5)

# Facts: the current facts of a complaint in; the fields that change out (empty when none).
FactsChange = Callable[[dict], dict]


def observe(db: Database, number: str, change: FactsChange) -> None:
    """Apply a change of a complaint's facts and add the difference it makes to the figures."""
    with store.guard(db, number):
        if store.rebuilding(db):
            raise DependencyUnavailable("the quality figures are being rebuilt")
        record = _settled(db, store.find(db, number) or {"_id": number})
        changes = change(record)
        if not changes:
            return
        record.update(changes)
        target = contribution(record)
        operations = differences(record.get("counted", {}), target)
        record["counted"] = target
        if operations:
            record["pending"] = operations
            store.note_pending(db, number, operations)
        store.put(db, record)
        _settled(db, record)


def _settled(db: Database, record: dict) -> dict:
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
            notes = [d["_id"] for d in db[store.PENDING].find({"number": number}, {"_id": 1})]
            store.forget_pending(db, [op for op in notes if op not in held])
    return len(numbers)


ALL = "*"
UNPLACED = "-"  # the district of an Open311 request that staff have not placed yet


def cell_id(district: str, category: str, month: str) -> str:
    """Return the id of the cell of a district (or ALL), a category (or ALL) and a month."""
    return f"{district}|{category}|{month}"


def cells_of(facts: dict) -> list[str]:
    """Return the cells a complaint counts in: its district and category, each alone, and the city."""
    district, category, month = facts["district"] or UNPLACED, facts["category"], facts["month"]
    return [cell_id(d, c, month) for d in (district, ALL) for c in (category, ALL)]


def bucket(seconds: int) -> int:
    """Return the histogram bucket of a duration, in minutes: its lower bound.

    To the minute under an hour, the quarter hour under a day, the hour under 15 days, six hours
    beyond: medians stay precise where it matters, and a cell holds a few hundred buckets at most.
    """
    minutes = seconds // 60
    for limit, step in ((60, 1), (1440, 15), (21600, 60)):
        if minutes < limit:
            return minutes - minutes % step
    return minutes - minutes % 360


def _duration(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds()))


def contribution(facts: dict) -> dict[str, dict[str, int]]:
    """Return the counters a complaint adds to its cell, from its facts alone.

    A counter of a histogram is named `histogram:bucket` (stored names hold no dots).
    """
    if "month" not in facts:  # its submission has not been seen yet
        return {}
    if facts.get("merged_into"):  # a duplicate: the complaint it was merged into is the one counted
        return {}
    counters: dict[str, int] = {"received": 1}

    def add(key: str, value: int = 1) -> None:
        counters[key] = counters.get(key, 0) + value

    submitted = facts["submitted_at"]
    if facts.get("acknowledged_at"):
        seconds = _duration(submitted, facts["acknowledged_at"])
        add("acknowledged")
        add("ack_seconds", seconds)
        add(f"ack_minutes:m{bucket(seconds)}")
    if facts.get("answered_at"):
        seconds = _duration(submitted, facts["answered_at"])
        add("answered")
        add("answered_within", int(facts["answered_at"] <= facts["answer_due"]))
        add("answer_seconds", seconds)
        add(f"answer_minutes:m{bucket(seconds)}")
        add("reopened", int(facts.get("reopen_count", 0) > 0))
    for rating in facts.get("ratings", {}).values():
        add("ratings")
        add("satisfaction_sum", rating["satisfaction"])
        add(f"satisfaction:s{rating['satisfaction']}")
        add(f"outcome:{rating['outcome']}")
    counters = {key: value for key, value in counters.items() if value}
    return {cell: dict(counters) for cell in cells_of(facts)}


def differences(counted: dict, target: dict) -> list[dict]:
    """Return the operations that take the cells from what was counted to the target."""
    operations = []
    # The complaint's own cell first and the city's last: a figure that counts a change has it in
    # every narrower figure too.
    for cell in sorted(set(counted) | set(target), key=lambda c: (c.count(ALL), c)):
        before, after = counted.get(cell, {}), target.get(cell, {})
        inc = {k: after.get(k, 0) - before.get(k, 0) for k in set(before) | set(after)}
        inc = {k: v for k, v in sorted(inc.items()) if v}
        if inc:
            district, category, month = cell.split("|")
            operations.append(
                {
                    "id": uuid.uuid4().hex,
                    "cell": cell,
                    "district": district,
                    "category": category,
                    "month": month,
                    "inc": inc,
                }
            )
    return operations


# The facts each event brings, as changes of the facts it finds.


def submitted(data: dict) -> FactsChange:
    """Return the facts of a submission: where, what, when, and its deadlines."""

    def change(record: dict) -> dict:
        if "month" in record:
            return {}
        return {
            "kind": data["kind"],
            # A placement seen before the submission is the later fact.
            "district": record["district"] if "placed_at" in record else data["district"],
            "category": data["category"],
            "submitted_at": data["submitted_at"],
            "month": data["submitted_at"].strftime("%Y-%m"),
            "ack_due": data["ack_due"],
            "answer_due": data["answer_due"],
        }

    return change


def placed(data: dict) -> FactsChange:
    """Return the fact of a placement in a district: the latest one counts."""

    def change(record: dict) -> dict:
        if record.get("placed_at") and data["at"] <= record["placed_at"]:
            return {}
        return {"district": data["district"], "placed_at": data["at"]}

    return change


def _earliest(record: dict, key: str, at: datetime) -> dict:
    return {key: at} if record.get(key) is None or at < record[key] else {}


def status_changed(data: dict) -> FactsChange:
    """Return the facts of a status change: the first response, the first answer, reopenings."""

    def change(record: dict) -> dict:
        changes: dict = {}
        if data["previous"] == "received":
            changes.update(_earliest(record, "acknowledged_at", data["at"]))
        if data["status"] in ANSWERED:
            changes.update(_earliest(record, "answered_at", data["at"]))
        changes.update(reopenings(data.get("reopen_count", 0))(record))
        return changes

    return change


def merged(data: dict) -> FactsChange:
    """Return the fact that staff closed the complaint as a duplicate of another (counted once, there)."""

    def change(record: dict) -> dict:
        return {} if record.get("merged_into") else {"merged_into": data["into"]}

    return change


def reopenings(count: int) -> FactsChange:
    """Return the fact that the complaint was reopened this many times."""

    def change(record: dict) -> dict:
        return {"reopen_count": count} if count > record.get("reopen_count", 0) else {}

    return change


def rated(data: dict) -> FactsChange:
    """Return the fact of a rating of one answer (the first one recorded for it counts)."""

    def change(record: dict) -> dict:
        ratings = record.get("ratings", {})
        key = str(data["answer"])
        if key in ratings:
            return {}
        rating = {"satisfaction": data["satisfaction"], "outcome": data["outcome"], "at": data["at"]}
        return {"ratings": {**ratings, key: rating}}

    return change


# The figures.


def _merge(total: dict, counters: dict) -> None:
    for key, value in counters.items():
        if isinstance(value, dict):
            _merge(total.setdefault(key, {}), value)
        else:
            total[key] = total.get(key, 0) + value


def _ratio(part: int, whole: int, digits: int = 4) -> float | None:
    return round(part / whole, digits) if whole else None


def _median_minutes(histogram: dict) -> float | None:
    values = sorted((int(key[1:]), count) for key, count in histogram.items() if count > 0)
    total = sum(count for _value, count in values)
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]  # 0-based ranks of the one or two middle values
    found, seen = [], 0
    for value, count in values:
        while middle and middle[0] < seen + count:
            found.append(value)
            middle.pop(0)
        seen += count
    return sum(found) / len(found)


def _durations(counters: dict, prefix: str, count_key: str) -> dict:
    count = counters.get(count_key, 0)
    median = _median_minutes(counters.get(f"{prefix}_minutes", {}))
    return {
        "count": count,
        "mean_hours": round(counters.get(f"{prefix}_seconds", 0) / count / 3600, 2) if count else None,
        "median_hours": round(median / 60, 2) if median is not None else None,
    }


def summary(counters: dict) -> dict:
    """Return the figures of PRODUCT.md from summed counters."""
    answered = counters.get("answered", 0)
    ratings = counters.get("ratings", 0)
    satisfaction = counters.get("satisfaction", {})
    outcomes = counters.get("outcome", {})
    return {
        "received": counters.get("received", 0),
        "acknowledged": counters.get("acknowledged", 0),
        "answered": answered,
        "answered_within_deadline": counters.get("answered_within", 0),
        "answered_within_deadline_rate": _ratio(counters.get("answered_within", 0), answered),
        "time_to_acknowledge": _durations(counters, "ack", "acknowledged"),
        "time_to_answer": _durations(counters, "answer", "answered"),
        "reopened": counters.get("reopened", 0),
        "reopen_rate": _ratio(counters.get("reopened", 0), answered),
        "satisfaction": {
            "ratings": ratings,
            "mean": round(counters.get("satisfaction_sum", 0) / ratings, 2) if ratings else None,
            "distribution": {str(s): satisfaction.get(f"s{s}", 0) for s in SATISFACTION},
        },
        "outcomes": {o: outcomes.get(o, 0) for o in OUTCOMES},
        "outcome_shares": {o: _ratio(outcomes.get(o, 0), ratings) for o in OUTCOMES},
    }


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def figures(db: Database, query: dict) -> dict:
    """Return the figures for the filters, in total and for every month of the period with complaints.

    One cell per month is read, by `_id`, whatever the number of complaints.
    """
    district, category = query.get("district") or ALL, query.get("category") or ALL
    known = [
        month
        for month in store.months(db)
        if (not query.get("from_") or month >= query["from_"])
        and (not query.get("to") or month <= query["to"])
    ]
    months = _months(known[0], known[-1]) if known else []
    total: dict = {}
    by_month = []
    for month in months:
        counters = store.cell(db, cell_id(district, category, month))
        _merge(total, counters)
        by_month.append({"month": month, **summary(counters)})
    return {
        "filters": {
            "district": query.get("district"),
            "category": query.get("category"),
            "from": query.get("from_"),
            "to": query.get("to"),
        },
        **summary(total),
        "by_month": by_month,
    }


CSV_HEADER = [
    "month",
    "received",
    "acknowledged",
    "answered",
    "answered_within_deadline",
    "answered_within_deadline_rate",
    "acknowledge_mean_hours",
    "acknowledge_median_hours",
    "answer_mean_hours",
    "answer_median_hours",
    "reopened",
    "reopen_rate",
    "ratings",
    "satisfaction_mean",
    *(f"satisfaction_{s}" for s in SATISFACTION),
    *(f"outcome_{o}" for o in OUTCOMES),
    *(f"outcome_{o}_share" for o in OUTCOMES),
]


def csv_row(label: str, figures: dict) -> list:
    """Return one line of the figures' export, in the order of CSV_HEADER."""
    ack, answer, satisfaction = (
        figures["time_to_acknowledge"],
        figures["time_to_answer"],
        figures["satisfaction"],
    )
    return [
        label,
        figures["received"],
        figures["acknowledged"],
        figures["answered"],
        figures["answered_within_deadline"],
        figures["answered_within_deadline_rate"],
        ack["mean_hours"],
        ack["median_hours"],
        answer["mean_hours"],
        answer["median_hours"],
        figures["reopened"],
        figures["reopen_rate"],
        satisfaction["ratings"],
        satisfaction["mean"],
        *(satisfaction["distribution"][str(s)] for s in SATISFACTION),
        *(figures["outcomes"][o] for o in OUTCOMES),
        *(figures["outcome_shares"][o] for o in OUTCOMES),
    ]
