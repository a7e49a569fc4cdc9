"""Field types for the HTTP edge: strings are strings, numbers are numbers, nothing else."""

from __future__ import annotations

import re
import unicodedata

from marshmallow import RAISE, Schema, fields, validate

# What people write keeps its newlines and tabs, and loses every other control character (C0,
# DEL, C1): a NUL and the like would go raw into the store, emails, CSV and XML. CR and CRLF
# become a newline. It loses the bidi embeddings and overrides (U+202A-U+202E) too: an override
# makes a subject display as other text ("gpj.exe" as "exe.jpg"). The marks (U+200E, U+200F,
# U+061C) and isolates (U+2066-U+2069), which mixed Arabic and Latin text needs, stay: they set a
# direction and never reverse letters. A lone surrogate ("\ud800" in JSON) is no character: it
# cannot be stored.
_NEWLINE = re.compile(r"\r\n?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Text(fields.String):
    """A trimmed string, control characters but newline and tab dropped; non-strings are refused."""

    default_error_messages = {"unicode": "Not valid Unicode text (a lone surrogate)."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if LONE_SURROGATE.search(value):
            raise self.make_error("unicode")
        value = _CONTROL.sub("", _NEWLINE.sub("\n", value))
        return super()._deserialize(value.strip(), attr, data, **kwargs)


class Email(fields.Email):
    """An email address, trimmed, at most 254 characters; one holding an invisible character is refused.

    Control characters (C0, DEL, C1) and format characters (the bidi controls, zero-width
    spaces...) have no place in an address: marshmallow's Email takes `"a\\u0007"@example.ma`,
    which would reach a `To:` header raw. Refused, not cleaned: a cleaned address is another one.
    """

    default_error_messages = {
        "invalid": "Not a valid email address.",
        "invisible": "Not a valid email address: it holds a control or invisible character.",
        "unicode": Text.default_error_messages["unicode"],
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Length(max=254))  # RFC 5321's longest address

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if LONE_SURROGATE.search(value):
            raise self.make_error("unicode")
        if any(unicodedata.category(c) in ("Cc", "Cf") for c in value):
            raise self.make_error("invisible")
        return super()._deserialize(value.strip(), attr, data, **kwargs)


class Number(fields.Float):
    """A JSON number; a boolean or a string is refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Whole(fields.Integer):
    """A JSON whole number; a boolean, a string or a fraction is refused."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictSchema(Schema):
    """A request body schema that refuses unknown fields."""

    class Meta:
        unknown = RAISE


class Flag(fields.Boolean):
    """A JSON true or false; "true", 1 and other look-alikes are refused."""

    truthy = {True}
    falsy = {False}

    def _deserialize(self, value, attr, data, **kwargs):
        # 1 == True and hash(1) == hash(True): the sets above alone would take 1 and 0.
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
