"""A checked upload stored as blobs: its bytes and, for a photo, the copies the pages show.

Intake (a submission's documents) and tracking (a document added later) store documents this one
way, so that every photo has the same copies and fields whichever way it came. The original stays
as it was sent; the copies (common/images.py) are what a photo is shown as.
"""

from __future__ import annotations

import logging
import uuid
from typing import TypedDict

from pymongo.database import Database

from common import blobs, images
from common.uploads import JPEG, PNG

log = logging.getLogger(__name__)


class Copies(TypedDict):
    """A photo's copies, by name: the blob keys (common/blobs.py) of two JPEGs."""

    thumb: str  # about 320 pixels on its longest side, at most 30 kB
    display: str  # about 1280 pixels on its longest side


class Size(TypedDict):
    width: int
    height: int


class CopySizes(TypedDict):
    thumb: Size
    display: Size


def store_document(db: Database, content: bytes, content_type: str, filename: str) -> dict:
    """Store a checked document and return its description, with its copies when it is a photo.

    A photo's description has `copies` (the blob keys of its thumbnail and display copy), their
    `copy_sizes` and, when the photo carried a GPS position, its `point`. A photo Pillow cannot
    make copies of (too many pixels to decode, truncated) is kept without: shown as a file, as a PDF.
    """
    document = {
        "id": uuid.uuid4().hex,
        "blob": blobs.put(db, content, content_type),
        "filename": filename,
        "content_type": content_type,
        "size": len(content),
    }
    if content_type not in (JPEG, PNG):
        return document
    try:
        made = images.copies(content)
    except images.Unreadable as exc:
        log.warning("photo kept without copies", extra={"document": document["id"], "error": str(exc)})
        return document
    document["copies"] = {
        "thumb": blobs.put(db, made.thumb.data, JPEG),
        "display": blobs.put(db, made.display.data, JPEG),
    }
    document["copy_sizes"] = {
        name: {"width": copy.width, "height": copy.height}
        for name, copy in (("thumb", made.thumb), ("display", made.display))
    }
    if made.point is not None:
        document["point"] = made.point
    return document
