"""The names feedback's figures had before they were split, kept for their callers (tests among them).

Counting events into the cells is in counting.py, reading the figures in figures.py, the arithmetic
of both in rules.py: new code imports from there.
"""

from services.feedback.counting import settle_unfinished
from services.feedback.figures import figures
from services.feedback.rules import summary

__all__ = ["figures", "settle_unfinished", "summary"]
