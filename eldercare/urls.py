from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import api, mounts, views


class IdRouter(DefaultRouter):
    """Objects are looked up by an integer (their id, a year) unless the viewset sets
    `lookup_value_regex`: `/elders/abc/` is then a 404 from the URL resolver, not a query that fails."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if hasattr(viewset, "lookup_value_regex"):
            return super().get_lookup_regex(viewset, lookup_prefix)
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
        return rf"(?P<{lookup_prefix}{kwarg}>\d+)"

    def get_urls(self):
        """A viewset's `own_transaction_actions` run outside the request's transaction: the
        service they call is then the outermost transaction, with no savepoint of its own."""
        urls = super().get_urls()
        for pattern in urls:
            view = getattr(pattern, "callback", None)
            own = set(getattr(getattr(view, "cls", None), "own_transaction_actions", ()))
            if own and set(getattr(view, "actions", {}).values()) <= own:
                transaction.non_atomic_requests(view)
        return urls


router = IdRouter()
router.register("divisions", api.DivisionViewSet, basename="division")
router.register("elders", api.ElderViewSet, basename="elder")
router.register("calendar-years", api.CalendarYearViewSet, basename="calendar-year")
router.register("notifications", api.NotificationViewSet, basename="notification")
router.register("saved-filters", api.SavedFilterViewSet, basename="saved-filter")
router.register("audit-records", api.AuditRecordViewSet, basename="audit-record")

# Each app registered its API routes in its `ready()` (see `eldercare.api.register_routes`).
for add_routes in api.ROUTES:
    add_routes(router)

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("text-size/", views.text_size_set, name="text_size_set"),
    path("elders/", views.elder_list_view, name="elder_list"),
    path("elders/new/", views.elder_create_view, name="elder_create"),
    path("elders/pick/", views.elder_pick, name="elder_pick"),
    path("elders/import/", views.elder_import_view, name="elder_import"),
    path("elders/import/template.xlsx", views.elder_import_template, name="elder_import_template"),
    path("elders/<int:pk>/", views.elder_detail, name="elder_detail"),
    path("elders/<int:pk>/edit/", views.elder_edit_view, name="elder_edit"),
    path("elders/<int:pk>/reveal/<str:field>/", views.elder_reveal_view, name="elder_reveal"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/read-all/", views.notices_read_all, name="notices_read_all"),
    path("notices/<int:pk>/open/", views.notice_open, name="notice_open"),
    path("saved-filters/", views.saved_filter_create, name="saved_filter_create"),
    path("saved-filters/<int:pk>/delete/", views.saved_filter_delete_view, name="saved_filter_delete"),
    path("offices/", views.office_list_view, name="office_list"),
    path("offices/<int:pk>/edit/", views.office_edit_view, name="office_edit"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/xlsx/", views.audit_log_xlsx, name="audit_log_xlsx"),
    *(path(prefix, include(urlconf)) for prefix, urlconf in mounts.MOUNTS),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]

# Error pages in the user's language, styled like the site (templates/400.html … 500.html); the
# 500 page is standalone: it is rendered without the database or the context processors.
handler400 = "django.views.defaults.bad_request"
handler403 = "django.views.defaults.permission_denied"
handler404 = "django.views.defaults.page_not_found"
handler500 = "django.views.defaults.server_error"
