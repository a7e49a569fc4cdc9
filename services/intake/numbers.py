"""Complaint numbers: random Crockford base32 with a Luhn mod 32 check character.

``RC-2026-7K3P9QX``: six random symbols (about a billion per year) and one
check symbol that catches any single mistyped symbol and most swaps when the
number is read over the phone. Numbers come from a CSPRNG, never a sequence; a
submission sent again with its request id first draws the number a keyed hash of
the two gives it (intake's domain.submit), which cannot be guessed without the key.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {symbol: i for i, symbol in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
RANDOM_LENGTH = 6
PATTERN = re.compile(rf"^RC-(\d{{4}})-([{ALPHABET}]{{{RANDOM_LENGTH + 1}}})$")


def check_symbol(payload: str) -> str:
    """Return the Luhn mod 32 check symbol of a base32 payload."""
    total, factor = 0, 2
    for symbol in reversed(payload):
        addend = factor * _VALUE[symbol]
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def generate(year: int) -> str:
    """Return a new random complaint number for this year."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"RC-{year}-{payload}{check_symbol(payload)}"


def from_digest(year: int, digest: bytes) -> str:
    """Return the complaint number a digest stands for (the first draw of a repeatable request)."""
    payload = "".join(ALPHABET[byte % 32] for byte in digest[:RANDOM_LENGTH])
    return f"RC-{year}-{payload}{check_symbol(payload)}"


def normalize(text: str) -> str | None:
    """Return the number as written by the platform, or None when it cannot be one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    cleaned = re.sub(r"[\s]", "", text).upper()
    match = re.match(r"^RC-?(\d{4})-?([0-9A-Z]+)$", cleaned)
    if not match:
        return None
    body = match.group(2).translate(_READ_AS)
    number = f"RC-{match.group(1)}-{body}"
    if not PATTERN.match(number) or check_symbol(body[:-1]) != body[-1]:
        return None
    return number
