"""Documents are judged by their content, never by their name or declared type."""

import io

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from common import config, uploads
from common.errors import PayloadTooLarge, UnsupportedMediaType


def image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buffer, kind)
    return buffer.getvalue()


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(data: bytes, name: str = "file.pdf", declared: str = "application/pdf") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type=declared)


def test_real_pdf_jpeg_and_png_are_recognised():
    assert uploads.sniff(PDF) == uploads.PDF
    assert uploads.sniff(image("JPEG")) == uploads.JPEG
    assert uploads.sniff(image("PNG")) == uploads.PNG


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00" + b"\x00" * 64,  # a Windows executable
        b"\x7fELF" + b"\x00" * 64,  # a Linux executable
        b"<html><script>alert(1)</script></html>",
        b"%PDF-1.4 but never ends",  # a PDF header on something else
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature on garbage
        b"\xff\xd8\xff" + b"MZ" * 50,  # a JPEG signature on garbage
    ],
)
def test_disguised_or_broken_files_are_refused(data):
    with pytest.raises(UnsupportedMediaType):
        uploads.read_upload(upload(data, "invoice.pdf", "application/pdf"))


def test_a_file_over_the_limit_is_413(monkeypatch):
    monkeypatch.setenv("MAX_DOCUMENT_BYTES", "1000")
    config.reload()
    with pytest.raises(PayloadTooLarge):
        uploads.read_upload(upload(PDF + b"0" * 1000))
    assert uploads.read_upload(upload(PDF))[1] == uploads.PDF


def test_names_lose_their_folders_and_get_the_real_extension():
    assert uploads.safe_filename("../../etc/passwd", uploads.PDF) == "passwd.pdf"
    assert uploads.safe_filename("C:\\Users\\a\\photo.exe", uploads.JPEG) == "photo.jpg"
    assert uploads.safe_filename("rapport\x00\n.pdf", uploads.PDF) == "rapport.pdf"
    assert uploads.safe_filename("", uploads.PNG) == "document.png"
    assert uploads.safe_filename("تقرير.pdf", uploads.PDF) == "تقرير.pdf"
    _data, kind, name = uploads.read_upload(upload(image("PNG"), "shot.pdf", "application/pdf"))
    assert (kind, name) == (uploads.PNG, "shot.png")


def heif(brand: bytes) -> bytes:
    """Return the start of an ISO media file of this major brand, as a phone's HEIC photo begins."""
    box = b"ftyp" + brand + b"\x00\x00\x00\x00" + b"mif1" + brand
    return len(box + b"1234").to_bytes(4, "big") + box + b"\x00" * 64


@pytest.mark.parametrize("brand", [b"heic", b"heix", b"hevc", b"heif", b"mif1", b"msf1"])
def test_an_heic_photo_is_refused_saying_how_to_send_a_jpeg(brand):
    with pytest.raises(UnsupportedMediaType) as refused:
        uploads.read_upload(upload(heif(brand), "IMG_0001.HEIC", "image/heic"), "documents")
    assert "HEIC" in refused.value.message and "JPEG" in refused.value.message
    assert "Most Compatible" in refused.value.message
    assert refused.value.fields == {"documents": [uploads.HEIC_REFUSED]}


def test_other_iso_media_files_get_the_usual_refusal():
    with pytest.raises(UnsupportedMediaType) as refused:
        uploads.read_upload(upload(heif(b"avif")))
    assert refused.value.fields == {"file": ["not a PDF, JPEG or PNG file"]}
