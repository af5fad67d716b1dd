"""Real files for the demo's uploads: the upload checker (eldercare.uploads) accepts only a PDF that
opens and has pages, so the demo's scans and evidence are blank A4 pages made with pypdf."""

import functools
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

A4 = (595, 842)  # points


@functools.cache
def blank_pdf() -> bytes:
    """A one-page blank A4 PDF."""
    writer = PdfWriter()
    writer.add_blank_page(*A4)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name: str) -> SimpleUploadedFile:
    """A one-page PDF as a browser would upload it."""
    return SimpleUploadedFile(name, blank_pdf(), content_type="application/pdf")
