"""What a complaint adds to the quality figures, and the figures from the counters: pure arithmetic.

Every figure belongs to the month a complaint was submitted in (a cohort): of the complaints
received in March, how many were answered, how fast, how often reopened, how their answers were
rated. A complaint's facts come from the events; what it counts is a function of those facts alone,
so a redelivered or late event changes nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from common.vocabulary import ANSWERED_STATUSES, Outcome, Status
from services.feedback.model import (
    Counters,
    Facts,
    FactsChange,
    FeedbackGivenData,
    MergedData,
    Operation,
    PlacedData,
    StatusChangedData,
    SubmittedData,
)

OUTCOMES: tuple[str, ...] = tuple(outcome.value for outcome in Outcome)
SATISFACTION = (1, 2, 3, 4, 5)
ALL = "*"
UNPLACED = "-"  # the district of an Open311 request that staff have not placed yet
# The legal answer deadline (decree 2-17-265), for complaints recorded without their category's.
ANSWER_DAYS = 60


def cell_id(district: str, category: str, month: str) -> str:
    """Return the id of the cell of a district (or ALL), a category (or ALL) and a month."""
    return f"{district}|{category}|{month}"


def cells_of(facts: Facts) -> list[str]:
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


def duration(start: datetime, end: datetime) -> int:
    """Return the whole seconds from start to end, none when the end comes first."""
    return max(0, round((end - start).total_seconds()))


def contribution(facts: Facts) -> dict[str, Counters]:
    """Return the counters a complaint adds to each of its cells, from its facts alone."""
    if "month" not in facts:  # its submission has not been seen yet
        return {}
    if facts.get("merged_into"):  # a duplicate: the complaint it was merged into is the one counted
        return {}
    counters: Counters = {"received": 1}

    def add(key: str, value: int = 1) -> None:
        counters[key] = counters.get(key, 0) + value

    submitted = facts["submitted_at"]
    if facts.get("acknowledged_at"):
        seconds = duration(submitted, facts["acknowledged_at"])
        add("acknowledged")
        add("ack_seconds", seconds)
        add(f"ack_minutes:m{bucket(seconds)}")
    if facts.get("answered_at"):
        seconds = duration(submitted, facts["answered_at"])
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


def differences(counted: dict[str, Counters], target: dict[str, Counters]) -> list[Operation]:
    """Return the operations (without their ids) that take the cells from what was counted to the target.

    The complaint's own cell first and the city's last: a figure that counts a change has it in
    every narrower figure too.
    """
    operations: list[Operation] = []
    for cell in sorted(set(counted) | set(target), key=lambda c: (c.count(ALL), c)):
        before, after = counted.get(cell, {}), target.get(cell, {})
        inc = {k: after.get(k, 0) - before.get(k, 0) for k in set(before) | set(after)}
        inc = {k: v for k, v in sorted(inc.items()) if v}
        if inc:
            district, category, month = cell.split("|")
            operations.append(
                {"cell": cell, "district": district, "category": category, "month": month, "inc": inc}
            )
    return operations


# ---- the facts each event brings, as changes of the facts it finds -----------------------------


def submitted(data: SubmittedData) -> FactsChange:
    """Return the facts of a submission: where, what, when, and its deadlines."""

    def change(record: Facts) -> Facts:
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


def placed(data: PlacedData) -> FactsChange:
    """Return the fact of a placement in a district: the latest one counts."""

    def change(record: Facts) -> Facts:
        if record.get("placed_at") and data["at"] <= record["placed_at"]:
            return {}
        return {"district": data["district"], "placed_at": data["at"]}

    return change


def _earliest(record: Facts, key: str, at: datetime) -> Facts:
    return {key: at} if record.get(key) is None or at < record[key] else {}  # type: ignore[misc]


def status_changed(data: StatusChangedData) -> FactsChange:
    """Return the facts of a status change: the first response, the first answer, reopenings."""

    def change(record: Facts) -> Facts:
        changes: Facts = {}
        if data["previous"] == Status.RECEIVED:
            changes.update(_earliest(record, "acknowledged_at", data["at"]))
        if data["status"] in ANSWERED_STATUSES:
            changes.update(_earliest(record, "answered_at", data["at"]))
        changes.update(reopenings(data.get("reopen_count", 0))(record))
        return changes

    return change


def merged(data: MergedData) -> FactsChange:
    """Return the fact that staff closed the complaint as a duplicate of another (counted once, there)."""

    def change(record: Facts) -> Facts:
        return {} if record.get("merged_into") else {"merged_into": data["into"]}

    return change


def reopenings(count: int) -> FactsChange:
    """Return the fact that the complaint was reopened this many times."""

    def change(record: Facts) -> Facts:
        return {"reopen_count": count} if count > record.get("reopen_count", 0) else {}

    return change


def rated(data: FeedbackGivenData) -> FactsChange:
    """Return the fact of a rating of one answer (the first one recorded for it counts)."""

    def change(record: Facts) -> Facts:
        ratings = record.get("ratings", {})
        key = str(data["answer"])
        if key in ratings:
            return {}
        rating = {"satisfaction": data["satisfaction"], "outcome": data["outcome"], "at": data["at"]}
        return {"ratings": {**ratings, key: rating}}

    return change


def facts_of(complaint: dict) -> Facts:
    """Return the facts a complaint's events give, from the complaint as tracking keeps it (a rebuild)."""
    submitted_at = complaint["submitted_at"]
    timeline = complaint.get("timeline", [])
    # A reopening gives a new answer deadline; the figures measure the one set at submission.
    answer_due = complaint.get("first_answer_due") or (
        complaint["answer_due"]
        if not complaint.get("reopen_count")
        else submitted_at + timedelta(days=complaint.get("answer_days") or ANSWER_DAYS)
    )
    facts: Facts = {
        "kind": complaint["kind"],
        "district": complaint["district"],
        "category": complaint["category"],
        "submitted_at": submitted_at,
        "month": submitted_at.strftime("%Y-%m"),
        "ack_due": complaint["ack_due"],
        "answer_due": answer_due,
        "reopen_count": complaint.get("reopen_count", 0),
        "ratings": {
            str(r["answer"]): {"satisfaction": r["satisfaction"], "outcome": r["outcome"], "at": r["at"]}
            for r in complaint.get("feedback", [])
        },
    }
    if complaint.get("placed_at"):
        facts["placed_at"] = complaint["placed_at"]
    if complaint.get("duplicate_of"):
        facts["merged_into"] = complaint["duplicate_of"]
    # The first change of status is always out of `received`: the first response.
    if len(timeline) > 1:
        facts["acknowledged_at"] = timeline[1]["at"]
    answered = [entry["at"] for entry in timeline if entry["status"] in ANSWERED_STATUSES]
    if answered:
        facts["answered_at"] = answered[0]
    return facts


# ---- the figures from summed counters ----------------------------------------------------------


def add_counters(total: dict, counters: dict) -> None:
    """Add nested counters into a total."""
    for key, value in counters.items():
        if isinstance(value, dict):
            add_counters(total.setdefault(key, {}), value)
        else:
            total[key] = total.get(key, 0) + value


def ratio(part: int, whole: int, digits: int = 4) -> float | None:
    """Return a share rounded to `digits` places, None of nothing."""
    return round(part / whole, digits) if whole else None


def median_minutes(histogram: dict[str, int]) -> float | None:
    """Return the median of a histogram of minutes (`m90`: 90 minutes), None of an empty one."""
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


def durations(counters: dict, prefix: str, count_key: str) -> dict:
    """Return how many durations were measured, their mean and their median, in hours."""
    count = counters.get(count_key, 0)
    median = median_minutes(counters.get(f"{prefix}_minutes", {}))
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
        "answered_within_deadline_rate": ratio(counters.get("answered_within", 0), answered),
        "time_to_acknowledge": durations(counters, "ack", "acknowledged"),
        "time_to_answer": durations(counters, "answer", "answered"),
        "reopened": counters.get("reopened", 0),
        "reopen_rate": ratio(counters.get("reopened", 0), answered),
        "satisfaction": {
            "ratings": ratings,
            "mean": round(counters.get("satisfaction_sum", 0) / ratings, 2) if ratings else None,
            "distribution": {str(s): satisfaction.get(f"s{s}", 0) for s in SATISFACTION},
        },
        "outcomes": {o: outcomes.get(o, 0) for o in OUTCOMES},
        "outcome_shares": {o: ratio(outcomes.get(o, 0), ratings) for o in OUTCOMES},
    }


def months_between(first: str, last: str) -> list[str]:
    """Return the months from first to last (`YYYY-MM`), both included."""
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def period(known: list[str], first: str | None, last: str | None) -> list[str]:
    """Return the months of a period: every month from the first to the last known within its bounds."""
    within = [month for month in known if (not first or month >= first) and (not last or month <= last)]
    return months_between(within[0], within[-1]) if within else []
