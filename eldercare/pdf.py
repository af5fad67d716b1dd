"""Every PDF of the platform is rendered here: a template, its context, WeasyPrint.

Templates set `font-family: "Noto Sans CJK SC"` (Debian's fonts-noto-cjk); with
libharfbuzz-subset0 installed WeasyPrint embeds only the glyphs a page uses.
"""

from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict, request=None) -> bytes:
    from weasyprint import HTML  # imported on use: it loads pango, which pages without PDFs do not need

    html = render_to_string(template_name, context, request=request)
    base_url = request.build_absolute_uri("/") if request is not None else None
    return HTML(string=html, base_url=base_url).write_pdf()
