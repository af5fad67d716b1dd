"""Every list pages the same way: 50 rows a page, the page number in `?page=`, the other filters
of the address kept by the pager's links (templates/eldercare/_pager.html)."""

from django.core.paginator import Page, Paginator

PER_PAGE = 50


def page_of(request, items, *, per_page: int = PER_PAGE) -> Page:
    """The page the request asks for (a number out of range or not a number gives the last or the
    first page, never an error)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
