"""The staff queue's search, read: the complaints with every word searched, newest first (search.py).

A search reads the index of its rarest word, not the history: a word found in every complaint is
paged and counted from the index alone when nothing else filters the queue but districts, and
otherwise read in batches of its index, each checked against the other words and the queue's filters.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from pymongo.database import Database

from services.tracking import search


def refresh(db: Database, complaint: dict) -> None:
    """Index a complaint whose number, subject, address or district changed (or was anonymised)."""
    current = search.complaint_words(complaint)
    db[search.SEARCH].delete_many({"number": complaint["_id"], "word": {"$nin": current}})
    db[search.SEARCH].update_many(
        {"number": complaint["_id"], "district": {"$ne": complaint.get("district")}},
        {"$set": {"district": complaint.get("district")}},
    )
    search.index(db, [complaint])


def _count(db: Database, match: dict) -> int:
    return db.command("count", search.SEARCH, query=match, limit=search.COUNTED)["n"]


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

    How many stops at search.COUNTED, and so do the pages.
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
        entries = (
            db[search.SEARCH]
            .find(found, {"number": 1})
            .sort(search.ORDER)
            .skip(skip)
            .limit(min(limit, total - skip))
        )
        return [e["number"] for e in entries], total
    numbers = list(itertools.islice(matching(db, complaints, searched, match, rarest=rarest), search.COUNTED))
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
    entries = db[search.SEARCH].find({"word": rarest, **_district(match)}, {"number": 1}).sort(search.ORDER)
    batch: list[str] = []
    for entry in entries:
        batch.append(entry["number"])
        if len(batch) == search.BATCH:
            yield from _check(db, complaints, batch, others, match)
            batch = []
    yield from _check(db, complaints, batch, others, match)


def _check(db: Database, complaints: str, batch: list[str], others: list[str], match: dict) -> list[str]:
    """Return the numbers of a batch that have the other words and meet the filter, in order."""
    kept = set(batch)
    for word in others:
        if not kept:
            break
        found = db[search.SEARCH].find({"number": {"$in": list(kept)}, "word": word}, {"number": 1})
        kept = {e["number"] for e in found}
    if kept and not _answered(match):
        found = db[complaints].find({"$and": [match, {"_id": {"$in": list(kept)}}]}, {"_id": 1})
        kept = {c["_id"] for c in found}
    return [number for number in batch if number in kept]
