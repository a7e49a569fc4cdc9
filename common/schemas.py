"""Field types for the HTTP edge: strings are strings, numbers are numbers, nothing else."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields


class Text(fields.String):
    """A trimmed string; an object, number or boolean is refused (never a query operator)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
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
