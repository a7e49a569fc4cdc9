"""The staff queue's search: the words of each complaint's number, subject and address, indexed.

A search matches the complaints that have every word searched, whatever their case, accents or
Arabic diacritics ("ecole" finds "École", "مدرسه" finds "مدرسة"), newest first. Each word of a
complaint is one small document of SEARCH (its number, the word, when it was submitted, its
district), so that a search reads the index of its rarest word, not the history: a word found in
every complaint is paged and counted from the index alone when nothing else filters the queue but
districts, and otherwise read in batches of its index, each checked against the other words and
the queue's filters.

This module folds the words and writes them; search_store.py reads them with the queue's filters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import BulkWriteError

SEARCH = "tracking_search"
COMPLETE = "#complete"  # the marker that every complaint recorded before the search existed is in it
FIELDS = ("subject", "address")  # with the number; descriptions are read on the complaint's page
PROJECTION = {"subject": 1, "address": 1, "district": 1, "submitted_at": 1}  # what indexing reads
BATCH = 1000
# A search counts its complaints up to this many, and pages through them: a word found in every
# complaint of the history is counted to here, not to the end (as search engines do).
COUNTED = 10_000
ORDER = [("submitted_at", DESCENDING), ("number", ASCENDING)]  # the queue's order: newest first
# Letters written several ways in Arabic, searched as one.
ARABIC = str.maketrans({"ى": "ي", "ة": "ه", "ـ": None})
WORD = re.compile(r"\w+")


def ensure_indexes(db: Database) -> None:
    """Create the search's indexes: a word's complaints newest first, in a district, and by number."""
    db[SEARCH].create_index([("word", ASCENDING), *ORDER])
    db[SEARCH].create_index([("word", ASCENDING), ("district", ASCENDING), *ORDER])
    db[SEARCH].create_index([("number", ASCENDING)])


def words(text: str | None) -> list[str]:
    """Return the distinct words of a text as searched: folded, without accents or diacritics."""
    folded = unicodedata.normalize("NFKD", (text or "").casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c)).translate(ARABIC)
    return list(dict.fromkeys(WORD.findall(folded)))


def complaint_words(complaint: dict) -> list[str]:
    """Return the words a complaint is found by."""
    return words(" ".join([complaint["_id"], *(complaint.get(f) or "" for f in FIELDS)]))


def _entries(complaint: dict) -> list[dict]:
    """Return the search's documents of a complaint: one per word."""
    number = complaint["_id"]
    return [
        {
            "_id": f"{word} {number}",
            "word": word,
            "number": number,
            "submitted_at": complaint["submitted_at"],
            "district": complaint.get("district"),
        }
        for word in complaint_words(complaint)
    ]


def index(db: Database, complaints: Iterable[dict]) -> None:
    """Index complaints' words (again: those already indexed stay)."""
    entries = [entry for c in complaints for entry in _entries(c)]
    if not entries:
        return
    try:
        db[SEARCH].insert_many(entries, ordered=False)
    except BulkWriteError as error:
        if any(e.get("code") != 11000 for e in error.details.get("writeErrors", [])):
            raise


def complete(db: Database, complaints: str) -> None:
    """Index the complaints recorded before the search existed (once, at the first start)."""
    if db[SEARCH].find_one({"_id": COMPLETE}) is not None:
        return
    batch: list[dict] = []
    for complaint in db[complaints].find({}, PROJECTION):
        batch.append(complaint)
        if len(batch) == BATCH:
            index(db, batch)
            batch = []
    index(db, batch)
    db[SEARCH].insert_one({"_id": COMPLETE})
