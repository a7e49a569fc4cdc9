"""The read side of the figures: one cell per month of the period, summed and summarised."""

from __future__ import annotations

from pymongo.database import Database

from services.feedback import rules, store
from services.feedback.model import StatsQuery


def figures(db: Database, query: StatsQuery) -> dict:
    """Return the figures for the filters, in total and for every month of the period with complaints.

    One cell per month is read, by `_id`, whatever the number of complaints.
    """
    district, category = query.get("district") or rules.ALL, query.get("category") or rules.ALL
    total: dict = {}
    by_month = []
    for month in rules.period(store.months(db), query.get("from_"), query.get("to")):
        counters = store.cell(db, rules.cell_id(district, category, month))
        rules.add_counters(total, counters)
        by_month.append({"month": month, **rules.summary(counters)})
    return {
        "filters": {
            "district": query.get("district"),
            "category": query.get("category"),
            "from": query.get("from_"),
            "to": query.get("to"),
        },
        **rules.summary(total),
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
    *(f"satisfaction_{s}" for s in rules.SATISFACTION),
    *(f"outcome_{o}" for o in rules.OUTCOMES),
    *(f"outcome_{o}_share" for o in rules.OUTCOMES),
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
        *(satisfaction["distribution"][str(s)] for s in rules.SATISFACTION),
        *(figures["outcomes"][o] for o in rules.OUTCOMES),
        *(figures["outcome_shares"][o] for o in rules.OUTCOMES),
    ]
