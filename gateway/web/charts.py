"""The figures' charts: one row a bar, its label and value as text, its length a share of the longest.

Rows of text rather than one drawing: labels and values stay legible on a phone, where a drawing
scaled to the screen's width shrinks its text, and read right to left on Arabic pages.
"""

from __future__ import annotations


def bars(series: list[tuple[str, float]], *, maximum: float | None = None) -> dict:
    """Return the bars of a chart: each value's label, and its length in % of `maximum` (else the top)."""
    top = maximum if maximum is not None else max((value for _label, value in series), default=0)
    top = top or 1
    return {
        "bars": [
            {"label": label, "value": value, "share": round(min(100.0, 100 * value / top), 1)}
            for label, value in series
        ]
    }


def for_figures(figures: dict) -> dict:
    """Return the charts of the figures page: received by month, satisfaction, outcomes."""
    months = figures.get("by_month", [])[-24:]
    distribution = figures["satisfaction"]["distribution"]
    shares = figures["outcome_shares"]
    return {
        "received": bars([(m["month"], m["received"]) for m in months]),
        "answered": bars(
            [(m["month"], m["answered"]) for m in months],
            maximum=max((m["received"] for m in months), default=0),
        ),
        "satisfaction": bars([(score, distribution[score]) for score in ("1", "2", "3", "4", "5")]),
        "outcomes": bars([(o, round((shares[o] or 0) * 100)) for o in shares], maximum=100),
    }
