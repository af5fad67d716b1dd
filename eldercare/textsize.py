"""The text size a visitor chose (A− / A / A+ in the page's header), kept in a cookie that the
server reads to render the page's class and that textsize.js writes on a click."""

from django.http import HttpRequest

COOKIE = "textsize"
SMALL, NORMAL, LARGE = "small", "normal", "large"
TEXT_SIZES = (SMALL, NORMAL, LARGE)
COOKIE_AGE = 365 * 24 * 60 * 60  # seconds: a choice made for one's eyes lasts


def text_size_of(request: HttpRequest) -> str:
    """The size in the visitor's cookie, or the normal size for a missing or unknown value."""
    value = request.COOKIES.get(COOKIE, "")
    return value if value in TEXT_SIZES else NORMAL
