"""Every list pages the same way: 50 rows a page, the page number in `?page=`, the other filters
of the address kept by the pager's links (templates/eldercare/_pager.html).

A page with two lists gives each its own parameter (`page_of(..., param="sample")`): the pager's
links then change only that list's page and keep the other's."""

from typing import cast

from django.core.paginator import Page, Paginator

PER_PAGE = 50


class LinkedPage(Page):
    """A page whose pager links are made in Python (`previous_href`, `next_href`; empty when the
    pager's own {% querystring page=... %} makes them)."""

    previous_href = ""
    next_href = ""


class _Paginator(Paginator):
    def _get_page(self, *args, **kwargs) -> LinkedPage:
        return LinkedPage(*args, **kwargs)


def page_of(request, items, *, per_page: int = PER_PAGE, param: str = "page") -> LinkedPage:
    """The page the request asks for (a number out of range or not a number gives the last or the
    first page, never an error)."""
    page = cast(LinkedPage, _Paginator(items, per_page).get_page(request.GET.get(param)))
    if param != "page":
        # The pager's {% querystring %} can only name `page`; the links of another parameter are
        # made here from the request's own query.
        page.previous_href = _href(request, param, page.previous_page_number()) if page.has_previous() else ""
        page.next_href = _href(request, param, page.next_page_number()) if page.has_next() else ""
    return page


def _href(request, param: str, number: int) -> str:
    query = request.GET.copy()
    query[param] = str(number)
    return "?" + query.urlencode()
