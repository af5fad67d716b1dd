"""The site's URLs, its error handlers included, and one view that fails."""

from django.urls import path

from eldercare.urls import *  # noqa: F403
from eldercare.urls import urlpatterns as site_urlpatterns


def fails(request):
    raise RuntimeError("a bug")


urlpatterns = [path("fails/", fails), *site_urlpatterns]
