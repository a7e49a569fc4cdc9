"""The former home of the state table, now in rules.py and common/vocabulary.py.

Its two lists stay importable from here for the callers of before (tests/integration/test_duplicates.py).
"""

from __future__ import annotations

from common.vocabulary import OPEN_STATUSES, Status

STATUSES = tuple(Status)
OPEN = OPEN_STATUSES
