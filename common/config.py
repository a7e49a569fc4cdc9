"""This process's settings (common/settings.py): read and checked once when it starts, then only read.

Every process calls `load()` as it starts: a wrong value stops it there, each wrong variable named
with what it should be, rather than failing every request that would read it. Code then reads
attributes of `settings()`, which never parses the environment again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from pydantic import ValidationError

from common.settings import Rule, Settings

_current: Settings | None = None
# The password of a URL (mongodb://user:password@host) is not repeated in a message.
_PASSWORD = re.compile(r"(://[^/@:]*:)[^/@]*@")
_WORDS = {"path_not_file": "expected a file that exists"}


def load() -> Settings:
    """Return the settings, read and checked from the environment once; exit naming each wrong one."""
    global _current
    if _current is None:
        try:
            _current = Settings()
        except ValidationError as invalid:
            raise SystemExit(_explain(invalid)) from None
    return _current


def settings() -> Settings:
    """Return this process's settings (as load() read them)."""
    return _current if _current is not None else load()


def reload() -> Settings:
    """Read the environment again: for tests that change it."""
    global _current
    _current = None
    return load()


def problems(environ: Mapping[str, str]) -> str | None:
    """Return what is wrong with the settings a process started with this environment would read.

    For `make run`, which says so before it starts anything rather than leaving it in the logs of
    processes that stop as they start.
    """
    own = dict(os.environ)
    os.environ.clear()
    os.environ.update(environ)
    try:
        Settings()
    except ValidationError as invalid:
        return _explain(invalid)
    finally:
        os.environ.clear()
        os.environ.update(own)
    return None


def _explain(invalid: ValidationError) -> str:
    """Return what is wrong with the environment, one variable a line."""
    lines = [_problem(error) for error in invalid.errors()]
    return "Invalid settings (see README.md, Environment variables):\n" + "\n".join(
        f"  {line}" for line in lines
    )


def _problem(error: dict) -> str:
    if isinstance(error.get("ctx", {}).get("error"), Rule):
        return str(error["ctx"]["error"])
    name = str(error["loc"][0])
    value = error["input"]
    shown = _PASSWORD.sub(r"\1***@", value) if isinstance(value, str) else value
    return f"{name.upper()}={shown!r}: {_expected(name, error)}"


def _expected(name: str, error: dict) -> str:
    """Return what the variable should be, in words."""
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    if error["type"] == "literal_error":
        return f"expected {error['ctx']['expected']}"
    field = Settings.model_fields[name]
    if field.annotation is bool:
        return "expected true or false (or 1/0, yes/no, on/off)"
    if field.annotation in (int, float):
        noun = "a whole number" if field.annotation is int else "a number"
        bounds = {
            key: getattr(m, key) for m in field.metadata for key in ("ge", "gt", "le") if hasattr(m, key)
        }
        if "ge" in bounds and "le" in bounds:
            return f"expected {noun} from {bounds['ge']} to {bounds['le']}"
        if "ge" in bounds:
            return f"expected {noun} of {bounds['ge']} or more"
        if "gt" in bounds:
            return f"expected {noun} above {bounds['gt']}"
        return f"expected {noun}"
    return _WORDS.get(error["type"], error["msg"])
