"""Email templates (Jinja2), one per message: a subject, a plain text part and an HTML part.

Their words are the `emails` catalogue's, in the email's language (common/translations.py), the
statuses' labels the `common` one's, as the pages show them: `{{ _("answer.subject", number=number) }}`.
In the HTML part a text is markup and the values it takes are escaped; `{br}` in a text is where the
plain text part breaks its line (a space in HTML). Times are shown as the pages show them, in the
city's time zone (TIMEZONE), in words of the email's language: `{{ at|when }}` a moment,
`{{ answer_due|day }}` a day.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from markupsafe import Markup

from common import config, translations
from common.vocabulary import DEFAULT_LANGUAGE, RIGHT_TO_LEFT, Language

LANGUAGES = tuple(Language)


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
    moment, texts = local(value), _texts(language)
    number = texts.gettext("date.first") if moment.day == 1 else str(moment.day)  # "1er" in French
    month = texts.gettext(f"date.month.{moment.month}")  # Morocco's: يوليوز، غشت، شتنبر in Arabic
    return texts.gettext("date.day").format(day=number, month=month, year=moment.year)


def when_in(language: str, value: str | datetime | None) -> str:
    """Return a moment's day and hour in the city, as the language writes them; "" for none."""
    if not value:
        return ""
    hour = local(value).strftime("%H:%M")
    return _texts(language).gettext("date.at_hour").format(day=day_in(language, value), hour=hour)


@pass_context
def _day(context, value: str | datetime | None) -> str:
    return day_in(context["lang"], value)


@pass_context
def _when(context, value: str | datetime | None) -> str:
    return when_in(context["lang"], value)


def _texts(language: str):
    return translations.translations(language, "emails", "common")


@pass_context
def _gettext(context, key: str, **values) -> str:
    """Return a message in the email's language; in HTML, markup whose values are escaped."""
    text = _texts(context["lang"]).gettext(key)
    if context.eval_ctx.autoescape:
        return Markup(text).format(br=" ", **values)
    return text.format(br="\n", **values)


@pass_context
def _word(context, prefix: str, value: str) -> str:
    """Return the label of a value (`status`, `in_progress`), or the value itself when it has none."""
    key = f"{prefix}.{value}"
    text = _texts(context["lang"]).gettext(key)
    return value if text == key else text


def _strong(value: str, dir: str | None = None) -> Markup:
    if dir:
        return Markup('<strong dir="{}">{}</strong>').format(dir, value)
    return Markup("<strong>{}</strong>").format(value)


def _capitalize_first(value: str) -> str:
    """Return a text with its first letter a capital, the rest as it is ("nouvelle plainte")."""
    return value[:1].upper() + value[1:]


@pass_context
def _quote(context, text: str) -> Markup:
    """Return a citizen's or a staff member's words, quoted with a rule where the lines start."""
    rule = f"border-{context['start']}: 3px solid #ccc;"
    style = f"white-space: pre-wrap; margin: 0 0 1em; padding: 0.5em 1em; {rule}"
    return Markup('<blockquote dir="auto" style="{}">{}</blockquote>').format(style, text)


@pass_context
def _number(context, value: str) -> Markup:
    """Return a complaint's number in bold; read left to right inside a right-to-left text."""
    if context["lang"] in RIGHT_TO_LEFT:
        return Markup('<strong><span dir="ltr">{}</span></strong>').format(value)
    return _strong(value)


_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(day=_day, when=_when, strong=_strong, number=_number, capitalize_first=_capitalize_first)
_env.globals.update(_=_gettext, word=_word, quote=_quote)


def render(name: str, language: str, context: dict) -> tuple[str, str, str]:
    """Return the subject, text and HTML of a template in the language (French by default)."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    context = {**context, "lang": language}
    if "district_name" in context and context["district_name"] is None:  # not placed yet (Open311)
        context["district_name"] = _texts(language).gettext("details.unplaced")
    text_template = _env.get_template(f"{name}.txt")
    subject = text_template.make_module(context).subject
    text = text_template.render(context)
    rtl = language in RIGHT_TO_LEFT
    # A quote's rule stands where the lines start: on the right in Arabic.
    html = _env.get_template(f"{name}.html").render(
        context, dir="rtl" if rtl else "ltr", start="right" if rtl else "left"
    )
    return subject.strip(), text, html
