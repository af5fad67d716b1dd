from django.urls import path

from .views import agreements, catalogue, exceptions, library, life_events, orders, presence, quality, staff, visit

app_name = "providers"

urlpatterns = [
    *library.urlpatterns,
    *staff.urlpatterns,
    *catalogue.urlpatterns,
    *agreements.urlpatterns,
    *orders.urlpatterns,
    *visit.urlpatterns,
    *exceptions.urlpatterns,
    *presence.urlpatterns,
    *quality.urlpatterns,
]

# Pages about an elder that keep their path under /subsidies/ (mounted there by ProvidersConfig).
elder_patterns = [
    path("elders/<int:pk>/life-event/", life_events.life_event, name="life_event_verify"),
]
