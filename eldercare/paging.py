"""Every list pages the same way: 50 rows a page, the page number in `?page=`, the other filters
of the address kept by the pager's links (templates/eldercare/_pager.html).

A page with two lists gives each its own parameter (`page_of(..., param="sample")`): the pager's
links then change only that list's page and keep the other's.

A list counts its rows up to `COUNT_CAP` and no further: counting every row of a district's
lists at a million elders (two million accounts, millions of visits) would take seconds on every
page, and no one pages through ten thousand rows. Past the cap the count says "more than 10,000"
(`capped`) and asks for the search or a filter; the API's pages say it with `count_capped`."""

from functools import cached_property
from typing import cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from rest_framework.pagination import LimitOffsetPagination, PageNumberPagination
from rest_framework.response import Response

PER_PAGE = 50
COUNT_CAP = 10_000


class LinkedPage(Page):
    """A page whose pager links are made in Python (`previous_href`, `next_href`; empty when the
    pager's own {% querystring page=... %} makes them)."""

    previous_href = ""
    next_href = ""


class CappedPaginator(Paginator):
    """Counts a queryset's rows up to `COUNT_CAP` (one `COUNT(*)` over at most that many rows);
    `capped` says there are more."""

    capped = False

    @cached_property
    def count(self) -> int:
        items = self.object_list
        # A table's rows (django-tables2) hold their queryset in `data.data`.
        rows = getattr(getattr(items, "data", None), "data", None)
        counted = _counted_up_to_cap(rows if isinstance(rows, QuerySet) else items)
        if counted is None:
            return super().count
        n, self.capped = counted
        return n


def _counted_up_to_cap(items) -> tuple[int, bool] | None:
    """(rows, capped) of a queryset, or of a lazy list that counts itself so (`capped_count()`, the
    audit trail's union); None for anything else (a list: its length)."""
    if isinstance(items, QuerySet):
        return capped_count(items)
    if hasattr(items, "capped_count"):
        return items.capped_count()
    return None


def capped_count(queryset: QuerySet) -> tuple[int, bool]:
    """(rows, capped): the rows counted up to `COUNT_CAP`, and whether there are more. Any
    COUNT_CAP + 1 rows tell it: the count reads the key only, in no order."""
    return count_up_to_cap(queryset.order_by().values("pk"))


def count_up_to_cap(rows: QuerySet) -> tuple[int, bool]:
    """(rows, capped) of a queryset as it is (a union too: the count wraps its first
    `COUNT_CAP` + 1 rows)."""
    n = rows[: COUNT_CAP + 1].count()
    return (COUNT_CAP, True) if n > COUNT_CAP else (n, False)


class _Paginator(CappedPaginator):
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


class CappedPageNumberPagination(PageNumberPagination):
    """The API's pages (50 rows, `?page=`), counted like the pages' lists: `count` stops at
    `COUNT_CAP`, and `count_capped` is true when there are more rows than that."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data) -> Response:
        return Response(
            {
                "count": self.page.paginator.count,
                "count_capped": self.page.paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return _with_count_capped(super().get_paginated_response_schema(schema))


def _with_count_capped(response: dict) -> dict:
    response["properties"]["count_capped"] = {
        "type": "boolean",
        "description": "True when the list has more rows than `count` (counting stops at 10,000).",
    }
    response["required"] = [*response.get("required", []), "count_capped"]
    return response


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """`?limit=&offset=` pages counted like the others (`count` stops at `COUNT_CAP`, `count_capped`)."""

    capped = False

    def get_count(self, queryset) -> int:
        counted = _counted_up_to_cap(queryset)
        if counted is None:
            return super().get_count(queryset)
        n, self.capped = counted
        return n

    def get_paginated_response(self, data) -> Response:
        response = super().get_paginated_response(data)
        response.data = {"count": response.data["count"], "count_capped": self.capped} | {
            k: v for k, v in response.data.items() if k != "count"
        }
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return _with_count_capped(super().get_paginated_response_schema(schema))
