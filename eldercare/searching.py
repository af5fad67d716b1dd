"""Search text never travels in a URL when it may hold a personal number.

The search boxes of the lists post their text: `search_by_post` keeps it in the session under a
short random key and sends the browser to the same page with `?s=<key>` (and the other filters),
so pagination, filters and exports keep working while the address (and the access log) holds no
number. A short search (a name, initials, the last 4 to 6 characters of a number) still works by
GET `?q=`; a GET whose text holds a run of `LONGEST_DIGITS_IN_URL` + 1 digits or more (a whole ID
number, a phone) is refused with 400.
"""

import re
import secrets
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import ValidationFailed
from .params import text_param

LONGEST_DIGITS_IN_URL = 6  # the last 6 characters of an ID number are a search of their own
SESSION_KEY = "searches"
KEPT_SEARCHES = 20  # the session holds the last few searches only
KEY_PARAM = "s"
_LONG_DIGITS = re.compile(rf"\d{{{LONGEST_DIGITS_IN_URL + 1},}}")


def holds_personal_number(text: str | None) -> bool:
    """Whether search text holds a personal number: 7 or more digits in a row, spaces and dashes
    between them ignored (a whole ID number, a phone)."""
    return bool(_LONG_DIGITS.search(re.sub(r"[\s\-]", "", text or "")))


class NumberInUrl(ValidationFailed):
    def __init__(self):
        super().__init__(_("Type the number into the search box: numbers may not appear in the address."))


def refuse_number_in_url(text: str | None) -> str:
    """The text of a GET search, or `NumberInUrl` (400) when it holds a personal number."""
    if holds_personal_number(text):
        raise NumberInUrl()
    return text_param(text)


def search_text(request: HttpRequest, name: str = "q") -> str:
    """The page's search text: kept in the session (`?s=<key>`) or a short GET `?q=`."""
    key = request.GET.get(KEY_PARAM)
    if key:
        return request.session.get(SESSION_KEY, {}).get(key, "")
    return refuse_number_in_url(request.GET.get(name))


def _keep(request: HttpRequest, text: str) -> str:
    searches = dict(request.session.get(SESSION_KEY, {}))
    key = secrets.token_urlsafe(6)
    searches[key] = text
    request.session[SESSION_KEY] = dict(list(searches.items())[-KEPT_SEARCHES:])
    return key


def search_redirect(request: HttpRequest, name: str = "q") -> HttpResponseRedirect:
    """A posted search: the text into the session, the browser to `?s=<key>&<other filters>`."""
    params = QueryDict(mutable=True)
    for field, values in request.POST.lists():
        if field not in (name, KEY_PARAM, "page", "csrfmiddlewaretoken"):
            params.setlist(field, [v for v in values if v])
    text = text_param(request.POST.get(name))
    if text:
        params[KEY_PARAM] = _keep(request, text)
    query = params.urlencode()
    return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)


def search_by_post(view=None, *, name: str = "q"):
    """A list page whose search box posts: POST → `?s=<key>`; a GET `?q=` holding a personal
    number → 400 with the reason, in the user's language."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                return search_redirect(request, name)
            if not request.GET.get(KEY_PARAM) and holds_personal_number(request.GET.get(name)):
                return render(
                    request,
                    "eldercare/search_refused.html",
                    {"message": NumberInUrl().message, "back": request.path},
                    status=400,
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
