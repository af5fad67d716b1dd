"""`{% saved_filters "url_name" %}`: a list page's saved filters and the form that saves the
current ones (see `services.saved_filter_save`)."""

from django import template
from django.urls import reverse

from ..searching import NumberInUrl, search_text
from ..selectors import saved_filter_list
from ..services import saved_filter_query

register = template.Library()


@register.inclusion_tag("eldercare/_saved_filters.html", takes_context=True)
def saved_filters(context, view_name: str) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return {"show": False}
    try:
        query = saved_filter_query(request.GET, search_text(request))
    except NumberInUrl:
        query = ""
    saved = list(saved_filter_list(user=user, view_name=view_name))
    if any(f.query == query for f in saved):
        query = ""  # these filters are saved already: nothing to offer
    return {
        "show": True,
        "saved": saved,
        "view_name": view_name,
        "list_url": reverse(view_name),
        "query": query,
        "csrf_token": context.get("csrf_token"),
    }
