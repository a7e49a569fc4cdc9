"""Object storage on the document store: immutable, content-addressed blobs in chunks.

A blob is stored once per content (its id is its SHA-256), as chunks keyed
``<id>:<n>`` and a head document keyed ``<id>`` written last, so a head means a
complete blob. Every read is by ``_id``, the one filter every store serves from
its primary key. Services keep their own metadata (who added what, to which
complaint) and share the blobs the way they would share a bucket.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from bson.binary import Binary
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from common import mongo
from common.envelope import utcnow

COLLECTION = "blobs"
CHUNK_BYTES = 1024 * 1024


def digest(data: bytes) -> str:
    """Return the id a blob with this content has."""
    return hashlib.sha256(data).hexdigest()


def put(db: Database, data: bytes, content_type: str) -> str:
    """Store the content (once, whatever the number of calls) and return its id."""
    blob_id = digest(data)
    blobs = db[COLLECTION]
    if blobs.find_one({"_id": blob_id}, {"_id": 1}) is not None:
        return blob_id
    chunks = [data[i : i + CHUNK_BYTES] for i in range(0, len(data), CHUNK_BYTES)] or [b""]
    for n, chunk in enumerate(chunks):
        part = {"_id": f"{blob_id}:{n}", "data": Binary(chunk)}
        mongo.upsert(lambda part=part: blobs.replace_one({"_id": part["_id"]}, part, upsert=True))
    try:
        blobs.insert_one(
            {
                "_id": blob_id,
                "size": len(data),
                "chunks": len(chunks),
                "content_type": content_type,
                "stored_at": utcnow(),
            }
        )
    except DuplicateKeyError:
        pass  # stored concurrently by another request: same content, same chunks
    return blob_id


def head(db: Database, blob_id: str) -> dict | None:
    """Return a blob's size, chunk count and type, or None when there is no such blob."""
    return db[COLLECTION].find_one({"_id": blob_id})


def read(db: Database, blob_id: str) -> Iterator[bytes]:
    """Yield a stored blob's bytes chunk by chunk."""
    info = head(db, blob_id)
    if info is None:
        raise KeyError(blob_id)
    for n in range(info["chunks"]):
        chunk = db[COLLECTION].find_one({"_id": f"{blob_id}:{n}"})
        yield bytes(chunk["data"])
