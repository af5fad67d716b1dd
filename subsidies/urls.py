from django.urls import include, path

from . import views_life_events

urlpatterns: list = [
    path("", include("subsidies.urls_policies")),
    path("elders/<int:pk>/life-event/", views_life_events.life_event, name="life_event_verify"),
    # The intake and review pages carry the "subsidies:" namespace (app_name in that module).
    path("", include("subsidies.urls_applications")),
]
