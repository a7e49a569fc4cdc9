"""This process's settings (common/settings.py): read and checked once when it starts, then only read.

Every process calls `load()` as it starts: a wrong value stops it there, each wrong variable named
with what it should be, rather than failing every request that would read it. Code then reads
attributes of `settings()`, which never parses the environment again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from marshmallow import ValidationError

from common.settings import RULES, Settings

_current: Settings | None = None
# The password of a URL (mongodb://user:password@host) is not repeated in a message.
_PASSWORD = re.compile(r"(://[^/@:]*:)[^/@]*@")


def load() -> Settings:
    """Return the settings, read and checked from the environment once; exit naming each wrong one."""
    global _current
    if _current is None:
        try:
            _current = Settings.read(os.environ)
        except ValidationError as invalid:
            raise SystemExit(_explain(invalid, os.environ)) from None
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
    try:
        Settings.read(environ)
    except ValidationError as invalid:
        return _explain(invalid, environ)
    return None


def _explain(invalid: ValidationError, environ: Mapping[str, str]) -> str:
    """Return what is wrong with the environment, one variable a line."""
    lines = []
    for name, messages in invalid.normalized_messages().items():
        if name == RULES:
            lines.extend(messages)
        else:
            shown = _PASSWORD.sub(r"\1***@", environ[name.upper()])
            lines.append(f"{name.upper()}={shown!r}: {messages[0]}")
    return "Invalid settings (see README.md, Environment variables):\n" + "\n".join(
        f"  {line}" for line in lines
    )
