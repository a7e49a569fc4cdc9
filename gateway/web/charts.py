"""The figures' charts as plain SVG geometry (no script, no external asset): bars and their labels."""

from __future__ import annotations

WIDTH, HEIGHT, BAR_AREA = 640, 220, 170


def bars(series: list[tuple[str, float]], *, maximum: float | None = None) -> dict:
    """Return the bars of a chart: each value's label, height and position in a 640×220 box."""
    top = maximum if maximum is not None else max((value for _label, value in series), default=0)
    top = top or 1
    slot = WIDTH / max(len(series), 1)
    width = max(4.0, slot * 0.6)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars": [
            {
                "label": label,
                "value": value,
                "x": round(i * slot + (slot - width) / 2, 1),
                "width": round(width, 1),
                "height": round(BAR_AREA * value / top, 1),
                "y": round(BAR_AREA - BAR_AREA * value / top + 10, 1),
                "text_x": round(i * slot + slot / 2, 1),
            }
            for i, (label, value) in enumerate(series)
        ],
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
