"""Every PDF of the platform is rendered here: a template, its context, WeasyPrint; and the QR codes
its documents and pages carry.

Templates set `font-family: "Noto Sans CJK SC"` (Debian's fonts-noto-cjk); with
libharfbuzz-subset0 installed WeasyPrint embeds only the glyphs a page uses.
"""

import segno
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    from weasyprint import HTML  # imported on use: it loads pango, which pages without PDFs do not need

    html = render_to_string(template_name, context, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else None
    return HTML(string=html, base_url=base_url).write_pdf()


def qr_data_uri(text: str, scale: int = 4) -> str:
    """A QR code of the text as an SVG data URI, for a page or a document (medium error correction)."""
    return segno.make(text, error="m").svg_data_uri(scale=scale, border=2)
