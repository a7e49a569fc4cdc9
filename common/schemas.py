"""Field types for the HTTP edge: strings are strings, numbers are numbers, nothing else."""

from __future__ import annotations

import re

from marshmallow import RAISE, Schema, fields

# What people write keeps its newlines and tabs, and loses every other control character (C0,
# DEL, C1): a NUL and the like would go raw into the store, emails, CSV and XML. CR and CRLF
# become a newline. A lone surrogate ("\ud800" in JSON) is no character: it cannot be stored.
_NEWLINE = re.compile(r"\r\n?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
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
