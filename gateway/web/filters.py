"""How the pages show values: local times, days, percentages, durations, sizes, catalogue options."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import request

from common import config
from gateway.web import i18n, web


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(config.settings().timezone)


@web.app_template_filter("when")
def when(value: str | None) -> str:
    return _moment(value).strftime("%d/%m/%Y %H:%M") if value else "—"


@web.app_template_filter("day")
def day(value: str | None) -> str:
    return _moment(value).strftime("%d/%m/%Y") if value else "—"


@web.app_template_filter("degrees")
def degrees(value: float | None) -> str:
    """Return a coordinate to five decimals (about a metre), with a dot whatever the language."""
    return "—" if value is None else f"{value:.5f}"


@web.app_template_filter("percent")
def percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)} %"


@web.app_template_filter("hours")
def hours(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 48:
        return i18n.gettext("unit.hours", n=round(value, 1))
    return i18n.gettext("unit.days", n=round(value / 24, 1))


@web.app_template_filter("filesize")
def filesize(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} kB"


@web.app_template_filter("options")
def options(entries: list[dict]) -> list[tuple[str, str]]:
    """Return catalogue entries as (code, name in the page's language), in the catalogue's order."""
    return [(e["code"], i18n.name(e.get("name"), e["code"])) for e in entries]


@web.app_template_filter("outcome_labels")
def outcome_labels(chart: dict) -> dict:
    return {**chart, "bars": [{**b, "label": i18n.gettext(f"outcome.{b['label']}")} for b in chart["bars"]]}


def query_with(**changes) -> str:
    """Return this page's query string with some parameters changed (the language switch, pages)."""
    args = {k: v for k, v in request.args.items() if k not in changes}
    return urlencode({k: v for k, v in {**args, **changes}.items() if v != ""})


@web.app_template_filter("status_options")
def status_options(statuses) -> list[tuple[str, str]]:
    return [(s, i18n.gettext(f"status.{s}")) for s in statuses]


@web.app_template_filter("role_options")
def role_options(roles) -> list[tuple[str, str]]:
    return [(r, i18n.gettext(f"role.{r}")) for r in roles]
