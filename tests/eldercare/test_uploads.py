"""An upload is judged by its whole content: a PDF must open and have pages, an image must decode
to its last pixel; the first bytes alone prove nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from eldercare import uploads
from eldercare.errors import ValidationFailed
from eldercare.uploads import check_upload
from tests.files import FAKE_PDF, jpeg_bytes, pdf_bytes, png_bytes


def upload(content: bytes, name: str = "file", content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_pdf_header_followed_by_a_web_page_is_refused():
    with pytest.raises(ValidationFailed):
        check_upload(upload(FAKE_PDF, "scan.pdf", "application/pdf"))


def test_the_old_fake_with_an_empty_object_and_trailer_is_refused():
    with pytest.raises(ValidationFailed):
        check_upload(upload(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "scan.pdf"))


def test_a_real_one_page_pdf_is_accepted():
    assert check_upload(upload(pdf_bytes(), "scan.pdf", "application/pdf")) == "pdf"


def test_a_pdf_without_pages_is_refused():
    out = io.BytesIO()
    PdfWriter().write(out)
    with pytest.raises(ValidationFailed):
        check_upload(upload(out.getvalue(), "empty.pdf"))


def test_an_encrypted_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationFailed):
        check_upload(upload(out.getvalue(), "locked.pdf"))


def test_a_pdf_that_runs_a_script_on_opening_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_open_action(JavaScript("app.alert('hello');"))
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationFailed):
        check_upload(upload(out.getvalue(), "script.pdf"))


def test_a_real_png_and_a_real_jpeg_are_accepted():
    assert check_upload(upload(png_bytes(), "photo.png", "image/png")) == "png"
    assert check_upload(upload(jpeg_bytes(), "photo.jpg", "image/jpeg")) == "jpeg"


def test_a_truncated_png_is_refused():
    noisy = Image.effect_noise((200, 200), 60).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    whole = out.getvalue()
    assert check_upload(upload(whole, "photo.png")) == "png"
    with pytest.raises(ValidationFailed):
        check_upload(upload(whole[: len(whole) // 2], "photo.png"))


def test_a_png_header_followed_by_zeros_is_refused():
    with pytest.raises(ValidationFailed):
        check_upload(upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.png"))


def test_a_truncated_image_is_refused_even_where_weasyprint_lets_them_load(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    noisy = Image.effect_noise((200, 200), 60).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "JPEG")
    with pytest.raises(ValidationFailed):
        check_upload(upload(out.getvalue()[: len(out.getvalue()) // 2], "photo.jpg"))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


def test_a_truncated_jpeg_is_refused():
    noisy = Image.effect_noise((200, 200), 60).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "JPEG")
    with pytest.raises(ValidationFailed):
        check_upload(upload(out.getvalue()[: len(out.getvalue()) // 2], "photo.jpg"))


def test_an_image_with_too_many_pixels_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PIXELS", 40 * 30 - 1)  # png_bytes() is 40 × 30
    with pytest.raises(ValidationFailed):
        check_upload(upload(png_bytes(), "photo.png"))
    monkeypatch.setattr(uploads, "MAX_PIXELS", 40 * 30)
    assert check_upload(upload(png_bytes(), "photo.png")) == "png"


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = len(pdf_bytes()) - 1
    with pytest.raises(ValidationFailed):
        check_upload(upload(pdf_bytes(), "scan.pdf"))
    settings.UPLOAD_MAX_BYTES = len(pdf_bytes())
    assert check_upload(upload(pdf_bytes(), "scan.pdf")) == "pdf"


def test_the_callers_limit_applies_when_smaller():
    with pytest.raises(ValidationFailed):
        check_upload(upload(png_bytes(), "photo.png"), max_bytes=len(png_bytes()) - 1)


def test_a_png_where_a_pdf_is_required_is_refused():
    with pytest.raises(ValidationFailed):
        check_upload(upload(png_bytes(), "scan.png", "image/png"), kinds=("pdf",))


def test_a_kind_declared_by_name_or_type_must_match_the_content():
    with pytest.raises(ValidationFailed):
        check_upload(upload(png_bytes(), "scan.pdf"))
    with pytest.raises(ValidationFailed):
        check_upload(upload(pdf_bytes(), "scan", "image/jpeg"))
    # A name or a type that declares none of the kinds is judged by the content alone.
    assert check_upload(upload(png_bytes(), "IMG_0001")) == "png"


def test_an_empty_file_and_plain_text_are_refused():
    with pytest.raises(ValidationFailed):
        check_upload(upload(b"", "scan.pdf"))
    with pytest.raises(ValidationFailed):
        check_upload(upload(b"hello", "notes.txt"))


def test_the_read_position_is_kept():
    file = upload(pdf_bytes(), "scan.pdf")
    file.seek(7)
    check_upload(file)
    assert file.tell() == 7
    refused = upload(FAKE_PDF, "scan.pdf")
    refused.seek(3)
    with pytest.raises(ValidationFailed):
        check_upload(refused)
    assert refused.tell() == 3
