"""The shapes feedback keeps and reads: its documents and the event fields it counts (no personal data).

Documents stay the plain dicts pymongo returns; these declare their keys. Of another service's
events only the fields feedback reads are declared (a tolerant reader), as schemas.py loads them:
times as aware datetimes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import NotRequired, TypedDict

# A counter's name to its value; a histogram's counters are named `histogram:bucket` ("answer_minutes:m90").
Counters = dict[str, int]


class Rating(TypedDict):
    satisfaction: int  # 1 to 5
    outcome: str  # an Outcome
    at: datetime


class Facts(TypedDict, total=False):
    """What the events say of a complaint, merged so that their order and repetition do not matter.

    A record may hold some before the submission is seen (a placement, a rating): `month` is then absent.
    """

    kind: str
    district: str | None  # None: an Open311 request staff have not placed
    category: str
    submitted_at: datetime
    month: str  # `YYYY-MM` of the submission: the cohort the complaint counts in
    ack_due: datetime
    answer_due: datetime  # set at submission: what "answered within the deadline" measures
    placed_at: datetime
    acknowledged_at: datetime  # the first response
    answered_at: datetime  # the first answer
    reopen_count: int
    ratings: dict[str, Rating]  # by answer (its number, as text)
    merged_into: str  # a duplicate: counted in the complaint it was merged into


class Operation(TypedDict):
    """A change of one cell's counters, applied exactly once."""

    id: NotRequired[str]  # given when it is recorded
    cell: str  # `district|category|month`
    district: str
    category: str
    month: str
    inc: Counters


class Record(Facts, total=False):
    """`feedback_complaints`: a complaint's facts, what it has counted, and what is left to apply."""

    _id: str  # the complaint's number
    counted: dict[str, Counters]  # by cell
    pending: list[Operation]


class Cell(TypedDict):
    """`feedback_cells`: the counters of a district (or `*`), a category (or `*`) and a month."""

    _id: str
    district: str
    category: str
    month: str
    n: dict  # nested counters; histograms packed as text (see store)
    ops: dict[str, datetime]  # the pending operations it has applied


class PendingNote(TypedDict):
    """`feedback_pending`: an operation recorded on its complaint and not yet out of the record."""

    _id: str  # the operation's id
    number: str
    at: datetime


# A change of a complaint's facts: the facts it finds in, the fields that change out (empty for none).
FactsChange = Callable[[Facts], Facts]


# ---- the events feedback reads (only the fields it uses) -------------------------------------


class SubmittedData(TypedDict):
    number: str
    kind: str
    category: str
    district: str | None
    submitted_at: datetime
    ack_due: datetime
    answer_due: datetime


class PlacedData(TypedDict):
    number: str
    district: str
    at: datetime


class StatusChangedData(TypedDict):
    number: str
    previous: str
    status: str
    at: datetime
    reopen_count: int  # 0 when absent


class ReopenedData(TypedDict):
    number: str
    reopen_count: int


class FeedbackGivenData(TypedDict):
    number: str
    answer: int
    satisfaction: int
    outcome: str
    at: datetime


class MergedData(TypedDict):
    number: str
    into: str


class StatsQuery(TypedDict):
    """The figures' filters, as StatsQuerySchema loads them (None: no filter)."""

    district: str | None
    category: str | None
    from_: str | None  # `YYYY-MM`
    to: str | None
