"""Uploaded files judged by their content, not by their name or their first bytes.

A scan, a piece of evidence or a photo is accepted only if it really is what it claims to be: a
PDF that opens and has pages (not encrypted, no scripts), or a JPEG or PNG image that decodes to
the end within a pixel limit. The size limit is the setting UPLOAD_MAX_BYTES unless the caller
sets a smaller one. No database: callers decide what to store.
"""

import io
import os
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from .errors import ValidationFailed


@dataclass(frozen=True)
class Kind:
    label: str  # as shown to the user
    mime: str
    extension: str  # of the stored file, without the dot


KINDS: dict[str, Kind] = {
    "pdf": Kind("PDF", "application/pdf", "pdf"),
    "jpeg": Kind("JPEG", "image/jpeg", "jpg"),
    "png": Kind("PNG", "image/png", "png"),
}
# What a file's name or its browser-given type declares it to be; anything else declares nothing.
DECLARED_BY_EXTENSION = {".pdf": "pdf", ".jpg": "jpeg", ".jpeg": "jpeg", ".jpe": "jpeg", ".png": "png"}
DECLARED_BY_MIME = {
    "application/pdf": "pdf",
    "image/jpeg": "jpeg",
    "image/pjpeg": "jpeg",
    "image/png": "png",
    "image/x-png": "png",
}
PILLOW_FORMATS = {"JPEG": "jpeg", "PNG": "png"}
# An image is decoded whole to be checked: beyond this many pixels (8000 × 8000, more than a
# 48-megapixel phone camera) it is refused before decoding, so that a small file cannot expand
# into gigabytes of memory (a decompression bomb).
MAX_PIXELS = 64_000_000


def check_upload(upload, *, kinds: tuple[str, ...] = ("pdf", "jpeg", "png"), max_bytes: int | None = None) -> str:
    """The kind of the uploaded file ("pdf", "jpeg" or "png", one of `kinds`), judged from its
    whole content; ValidationFailed with the reason otherwise. The read position is kept."""
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    name = os.path.basename(getattr(upload, "name", "") or "")
    position = upload.tell()
    try:
        upload.seek(0)
        data = upload.read(limit + 1)
    finally:
        upload.seek(position)
    size = getattr(upload, "size", None) or len(data)
    if len(data) > limit or size > limit:
        raise ValidationFailed(
            _("The file is %(size).1f MB; at most %(max)s MB is accepted.")
            % {"size": size / 1024 / 1024, "max": f"{limit / 1024 / 1024:g}"}
        )
    if not data:
        raise ValidationFailed(_("“%(name)s” is empty.") % {"name": name})
    kind = _sniff(data)
    if kind not in kinds:
        raise ValidationFailed(
            _("Only %(kinds)s files are accepted; “%(name)s” is not one of them.")
            % {"kinds": "/".join(KINDS[k].label for k in kinds), "name": name}
        )
    declared = _declared(upload, name)
    if declared is not None and declared != kind:
        raise ValidationFailed(
            _("“%(name)s” is declared as a %(declared)s file but its content is %(kind)s.")
            % {"name": name, "declared": KINDS[declared].label, "kind": KINDS[kind].label}
        )
    if kind == "pdf":
        _check_pdf(data, name)
    else:
        _check_image(data, name, kind)
    return kind


def _sniff(data: bytes) -> str | None:
    """What the content says it is, from its signature (checked in depth afterwards)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def _declared(upload, name: str) -> str | None:
    by_name = DECLARED_BY_EXTENSION.get(os.path.splitext(name)[1].lower())
    if by_name is not None:
        return by_name
    return DECLARED_BY_MIME.get((getattr(upload, "content_type", "") or "").lower())


def _check_pdf(data: bytes, name: str) -> None:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValidationFailed(
                _("“%(name)s” is protected by a password: upload a copy without one.") % {"name": name}
            )
        pages = len(reader.pages)
        scripted = _has_javascript(reader, data)
    except ValidationFailed:
        raise
    except Exception as exc:  # a malformed file can fail anywhere inside the parser
        raise ValidationFailed(_("“%(name)s” is not a readable PDF file.") % {"name": name}) from exc
    if pages < 1:
        raise ValidationFailed(_("“%(name)s” has no pages.") % {"name": name})
    if scripted:
        raise ValidationFailed(
            _("“%(name)s” contains scripts, which are not accepted: save it again as a plain PDF.") % {"name": name}
        )


def _dictionary(value) -> DictionaryObject | None:
    value = value.get_object() if value is not None else None
    return value if isinstance(value, DictionaryObject) else None


def _has_javascript(reader: PdfReader, data: bytes) -> bool:
    """Scripts run on opening (OpenAction), on events (AA) or by name (Names/JavaScript)."""
    if b"/JavaScript" in data:
        return True
    root = _dictionary(reader.trailer["/Root"]) or DictionaryObject()
    names = _dictionary(root.get("/Names"))
    if names is not None and "/JavaScript" in names:
        return True
    action = _dictionary(root.get("/OpenAction"))
    if action is not None and (action.get("/S") == "/JavaScript" or "/JS" in action):
        return True
    return "/AA" in root or any("/AA" in page for page in reader.pages)


def _check_image(data: bytes, name: str, kind: str) -> None:
    damaged = ValidationFailed(
        _("“%(name)s” is not a complete %(kind)s image: it may be damaged or cut off.")
        % {"name": name, "kind": KINDS[kind].label}
    )
    formats = [format for format, k in PILLOW_FORMATS.items() if k == kind]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=formats) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ValidationFailed(
                        _("“%(name)s” is %(width)d × %(height)d pixels; at most %(max)s million pixels are accepted.")
                        % {"name": name, "width": width, "height": height, "max": f"{MAX_PIXELS / 1_000_000:g}"}
                    )
                image.verify()
            # verify() checks the structure only; decoding every pixel finds a truncated file, unless
            # truncated files are let through process-wide (WeasyPrint turns that on when imported).
            lenient = ImageFile.LOAD_TRUNCATED_IMAGES
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            try:
                with Image.open(io.BytesIO(data), formats=formats) as image:
                    image.load()
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = lenient
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValidationFailed(_("“%(name)s” has too many pixels to be opened safely.") % {"name": name}) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
            raise damaged from exc
