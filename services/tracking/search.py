"""The staff queue's search: the words of each complaint's number, subject and address, indexed.

A search matches the complaints that have every word searched, whatever their case, accents or
Arabic diacritics ("ecole" finds "École", "مدرسه" finds "مدرسة"), newest first. Each word of a
complaint is one small document of SEARCH (its number, the word, when it was submitted, its
district), so that a search reads the index of its rarest word, not the history: a word found in
every complaint is paged and counted from the index alone when nothing else filters the queue but
districts, and otherwise read in batches of its index, each checked against the other words and
the queue's filters.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator

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


def refresh(db: Database, complaint: dict) -> None:
    """Index a complaint whose number, subject, address or district changed (or was anonymised)."""
    current = complaint_words(complaint)
    db[SEARCH].delete_many({"number": complaint["_id"], "word": {"$nin": current}})
    db[SEARCH].update_many(
        {"number": complaint["_id"], "district": {"$ne": complaint.get("district")}},
        {"$set": {"district": complaint.get("district")}},
    )
    index(db, [complaint])


def _count(db: Database, match: dict) -> int:
    return db.command("count", SEARCH, query=match, limit=COUNTED)["n"]


def _answered(match: dict) -> bool:
    """Return whether the search's own documents answer the queue's filter (districts at most)."""
    return set(match) <= {"district"}


def _district(match: dict) -> dict:
    """Return the part of the queue's filter the search's documents narrow by."""
    return {"district": match["district"]} if "district" in match else {}


def page(
    db: Database, complaints: str, searched: list[str], match: dict, *, skip: int, limit: int
) -> tuple[list[str], int]:
    """Return the numbers of a page of the complaints with every word and meeting the filter, and how many.

    How many stops at COUNTED, and so do the pages.
    """
    counts = {word: _count(db, {"word": word}) for word in searched}
    if not searched or min(counts.values()) == 0:
        return [], 0
    rarest = min(searched, key=counts.__getitem__)
    if len(searched) == 1 and _answered(match):  # paged and counted from the index alone
        found = {"word": rarest, **match}
        total = _count(db, found) if match else counts[rarest]
        if skip >= total:
            return [], total
        entries = db[SEARCH].find(found, {"number": 1}).sort(ORDER).skip(skip).limit(min(limit, total - skip))
        return [e["number"] for e in entries], total
    numbers = list(itertools.islice(matching(db, complaints, searched, match, rarest=rarest), COUNTED))
    return numbers[skip : skip + limit], len(numbers)


def matching(
    db: Database, complaints: str, searched: list[str], match: dict, *, rarest: str | None = None
) -> Iterator[str]:
    """Yield the numbers of every complaint with every word and meeting the filter, newest first.

    It reads the index of the rarest word, in batches, each checked against the other words and
    the filter: its cost follows how many complaints have that word, not the history.
    """
    if not searched:
        return
    rarest = rarest or min(searched, key=lambda word: _count(db, {"word": word}))
    others = [word for word in searched if word != rarest]
    entries = db[SEARCH].find({"word": rarest, **_district(match)}, {"number": 1}).sort(ORDER)
    batch: list[str] = []
    for entry in entries:
        batch.append(entry["number"])
        if len(batch) == BATCH:
            yield from _check(db, complaints, batch, others, match)
            batch = []
    yield from _check(db, complaints, batch, others, match)


def _check(db: Database, complaints: str, batch: list[str], others: list[str], match: dict) -> list[str]:
    """Return the numbers of a batch that have the other words and meet the filter, in order."""
    kept = set(batch)
    for word in others:
        if not kept:
            break
        found = db[SEARCH].find({"number": {"$in": list(kept)}, "word": word}, {"number": 1})
        kept = {e["number"] for e in found}
    if kept and not _answered(match):
        found = db[complaints].find({"$and": [match, {"_id": {"$in": list(kept)}}]}, {"_id": 1})
        kept = {c["_id"] for c in found}
    return [number for number in batch if number in kept]
