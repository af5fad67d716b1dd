from django.urls import path

from .views import agreements, catalogue, library, life_events, orders, quality, staff

app_name = "providers"

urlpatterns = [
    *library.urlpatterns,
    *staff.urlpatterns,
    *catalogue.urlpatterns,
    *agreements.urlpatterns,
    *orders.urlpatterns,
    *quality.urlpatterns,
]

# Pages about an elder that keep their path under /subsidies/ (mounted there by ProvidersConfig).
elder_patterns = [
    path("elders/<int:pk>/life-event/", life_events.life_event, name="life_event_verify"),
]
