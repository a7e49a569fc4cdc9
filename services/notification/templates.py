"""Email templates per language (Jinja2): a subject, a plain text part and an HTML part."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

LANGUAGES = ("fr", "ar", "en")
_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(name: str, language: str, context: dict) -> tuple[str, str, str]:
    """Return the subject, text and HTML of a template in the language (French by default)."""
    language = language if language in LANGUAGES else "fr"
    text_template = _env.get_template(f"{language}/{name}.txt")
    subject = text_template.make_module(context).subject
    text = text_template.render(context)
    html = _env.get_template(f"{language}/{name}.html").render(
        context, dir="rtl" if language == "ar" else "ltr", lang=language
    )
    return subject.strip(), text, html
