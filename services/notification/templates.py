"""Email templates per language (Jinja2): a subject, a plain text part and an HTML part.

Times are shown as the pages show them, in the city's time zone (TIMEZONE), in words of the
email's language: `{{ at|when }}` a moment, `{{ answer_due|day }}` a day.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape

from common import config

LANGUAGES = ("fr", "ar", "en")
# Morocco's months: the Arabic names are those of its administration (يوليوز، غشت، شتنبر…).
MONTHS = {
    "fr": ("janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()),
    "ar": "يناير فبراير مارس أبريل ماي يونيو يوليوز غشت شتنبر أكتوبر نونبر دجنبر".split(),
    "en": ("January February March April May June July August September October November December".split()),
}
# A day, then the hour: "1er décembre 2026 à 00:30", "1 December 2026 at 00:30".
AT_HOUR = {"fr": "{day} à {hour}", "ar": "{day} على الساعة {hour}", "en": "{day} at {hour}"}


def local(value: str | datetime) -> datetime:
    """Return a moment (a datetime, or RFC 3339 text; naive is UTC) in the city's time zone."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(config.settings().timezone)


def day_in(language: str, value: str | datetime | None) -> str:
    """Return the day of a moment in the city, as the language writes it; "" for none."""
    if not value:
        return ""
    moment = local(value)
    number = "1er" if language == "fr" and moment.day == 1 else str(moment.day)
    return f"{number} {MONTHS[language][moment.month - 1]} {moment.year}"


def when_in(language: str, value: str | datetime | None) -> str:
    """Return a moment's day and hour in the city, as the language writes them; "" for none."""
    if not value:
        return ""
    return AT_HOUR[language].format(day=day_in(language, value), hour=local(value).strftime("%H:%M"))


@pass_context
def _day(context, value: str | datetime | None) -> str:
    return day_in(context["lang"], value)


@pass_context
def _when(context, value: str | datetime | None) -> str:
    return when_in(context["lang"], value)


_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(day=_day, when=_when)


def render(name: str, language: str, context: dict) -> tuple[str, str, str]:
    """Return the subject, text and HTML of a template in the language (French by default)."""
    language = language if language in LANGUAGES else "fr"
    context = {**context, "lang": language}
    text_template = _env.get_template(f"{language}/{name}.txt")
    subject = text_template.make_module(context).subject
    text = text_template.render(context)
    html = _env.get_template(f"{language}/{name}.html").render(
        context, dir="rtl" if language == "ar" else "ltr"
    )
    return subject.strip(), text, html
