"""Uploaded files: size and type checked by content, names made safe."""

from __future__ import annotations

import io
import re
import unicodedata

from werkzeug.datastructures import FileStorage

from common import bodies, config
from common.errors import ApiError, PayloadTooLarge, UnsupportedMediaType

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}


class TooManyDocuments(ApiError):
    status, code = 409, "too_many_documents"


def max_bytes() -> int:
    """Return the largest document accepted, in bytes."""
    return config.settings().max_document_bytes


def max_count() -> int:
    """Return how many documents one complaint may hold."""
    return config.settings().max_documents


# What a multipart body carries beside a file's bytes: its boundary and part headers (a long file
# name included); the form fields of a submission are counted apart (bodies.json_bytes()).
PART_MARGIN = 64 * 1024


def document_bytes() -> int:
    """Return the largest body that adds one document, in bytes."""
    return max_bytes() + PART_MARGIN


def submission_bytes() -> int:
    """Return the largest complaint submission, in bytes: its fields and every document it may hold."""
    return bodies.json_bytes() + max_count() * document_bytes()


def sniff(data: bytes) -> str | None:
    """Return the type the content really is (PDF, JPEG or PNG), or None."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]:
        return PDF
    if data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _verified_image(data)
    return None


# The brands an ISO media file names in its `ftyp` box when it is an HEIF image: what iPhones (and
# other phones) take photos in by default, which Pillow cannot read.
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heif", b"mif1", b"msf1"}
HEIC_REFUSED = "in HEIC format: send a JPEG"  # the field's message, which the pages recognise
HEIC_MESSAGE = (
    "This photo is in HEIC format, which cannot be read here: send it as a JPEG. On an iPhone, choose"
    " Settings → Camera → Formats → Most Compatible for the next photos, or share this one as JPEG."
)


def is_heic(data: bytes) -> bool:
    """Return whether the content is an HEIC/HEIF image, by the major brand of its `ftyp` box."""
    return data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS


def _verified_image(data: bytes) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return {"JPEG": JPEG, "PNG": PNG}.get(kind)


def safe_filename(name: str | None, content_type: str) -> str:
    """Return a displayable file name: no folders, no control characters, the real extension."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C")
    base = base.strip(" .")[:120]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem or 'document'}{EXTENSIONS[content_type]}"


def read_upload(upload: FileStorage, field: str = "file") -> tuple[bytes, str, str]:
    """Return the bytes, real type and safe name of an upload, or raise 413 or 415."""
    limit = max_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(
            f"A document may be at most {limit // (1024 * 1024)} MB.",
            fields={field: [f"larger than {limit} bytes"]},
        )
    if not data:
        raise UnsupportedMediaType("The document is empty.", fields={field: ["empty"]})
    content_type = sniff(data)
    if content_type is None and is_heic(data):
        raise UnsupportedMediaType(HEIC_MESSAGE, fields={field: [HEIC_REFUSED]})
    if content_type is None:
        raise UnsupportedMediaType(
            "Only PDF, JPEG and PNG documents are accepted.", fields={field: ["not a PDF, JPEG or PNG file"]}
        )
    return data, content_type, safe_filename(upload.filename, content_type)
