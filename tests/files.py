"""Real files for upload tests: a one-page PDF and small images that open and decode whole, as
the upload checker (eldercare.uploads) demands. Built once a session."""

import functools
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

A4 = (595, 842)  # points


@functools.cache
def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(*A4)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image(format: str, size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format)
    return out.getvalue()


@functools.cache
def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    return _image("PNG", size, (200, 180, 160))


@functools.cache
def jpeg_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    return _image("JPEG", size, (160, 180, 200))


def pdf_upload(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def jpeg_upload(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


# The fake an upload must never pass for: a PDF header followed by a web page.
FAKE_PDF = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"


def fake_pdf_upload(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, FAKE_PDF, content_type="application/pdf")
