"""How the pages show values: local times, days, percentages, durations, sizes, catalogue options."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from babel.numbers import format_decimal, format_percent
from flask import request

from common import config
from common.envelope import utcnow
from gateway.web import i18n
from gateway.web.shared import web


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(config.settings().timezone)


@web.app_template_filter("when")
def when(value: str | None) -> str:
    return _moment(value).strftime("%d/%m/%Y %H:%M") if value else "—"


@web.app_template_filter("day")
def day(value: str | None) -> str:
    return _moment(value).strftime("%d/%m/%Y") if value else "—"


@web.app_template_filter("number")
def number(value: float | None, digits: int = 1) -> str:
    """Return a number as the page's language writes it (1,5 in French; 1.5 in English), at most `digits`."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(round(value, digits), format=pattern, locale=i18n.locale())


@web.app_template_filter("degrees")
def degrees(value: float | None) -> str:
    """Return a coordinate to five decimals (about a metre), with a dot whatever the language."""
    return "—" if value is None else f"{value:.5f}"


@web.app_template_filter("percent")
def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, locale=i18n.locale())


@web.app_template_filter("hours")
def hours(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 48:
        return i18n.ngettext("unit.hours", _count(value), n=number(value))
    return i18n.ngettext("unit.days", _count(value / 24), n=number(value / 24))


def _count(value: float) -> int:
    """Return the count that picks a plural form: the number shown when whole, else 100.

    A fraction (1,5) takes the "other" form, as 100 does in the three languages (CLDR's rules).
    """
    shown = round(value, 1)
    return int(shown) if shown == int(shown) else 100


@web.app_template_filter("filesize")
def filesize(size: int) -> str:
    if size >= 1024 * 1024:
        return i18n.gettext("unit.mb", n=number(size / 1024 / 1024))
    return i18n.gettext("unit.kb", n=number(max(1, round(size / 1024)), 0))


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


@web.app_template_filter("member_options")
def member_options(members: list[dict]) -> list[tuple[str, str]]:
    """Return staff members as options showing their name (their username when they have none)."""
    return [(m["username"], m.get("name") or m["username"]) for m in members]


def answer_groups(answers: list[dict], statuses) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return canned answers as option groups, one per target status, in the order of `statuses`."""
    return [
        (i18n.gettext(f"status.{status}"), [(a["id"], a["title"]) for a in answers if a["status"] == status])
        for status in statuses
    ]


@web.app_template_filter("deadline")
def deadline(value: str | None) -> dict | None:
    """Return a deadline's days left (or overdue when negative), counted in the city's calendar.

    `late` says whether the moment has passed: due today but passed this morning is late, 0 days.
    """
    if not value:
        return None
    due, now = _moment(value), utcnow().astimezone(config.settings().timezone)
    return {"days": (due.date() - now.date()).days, "late": due < now}
