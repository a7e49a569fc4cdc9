"""Drawing complaint numbers: ``RC-2026-7K3P9QX``, six random Crockford base32 symbols and a check.

Six symbols give about a billion numbers per year, and the check symbol (rules.check_symbol) catches
any single mistyped symbol and most swaps when the number is read over the phone. Numbers come from
a CSPRNG, never a sequence; a submission sent again with its request id first draws the number a
keyed hash of the two gives it (intake's domain.submit), which cannot be guessed without the key.
"""

from __future__ import annotations

import secrets

from services.intake.rules import ALPHABET, RANDOM_LENGTH, number


def generate(year: int) -> str:
    """Return a new random complaint number for this year."""
    return number(year, "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH)))


def from_digest(year: int, digest: bytes) -> str:
    """Return the complaint number a digest stands for (the first draw of a repeatable request)."""
    return number(year, "".join(ALPHABET[byte % 32] for byte in digest[:RANDOM_LENGTH]))
