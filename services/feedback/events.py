"""Feedback publishes no event; the handlers of those it consumes are in handlers.py.

`HANDLERS` stays importable from here for its callers (the tests, `bench/stats_history.py`).
"""

from services.feedback.handlers import HANDLERS

__all__ = ["HANDLERS"]
