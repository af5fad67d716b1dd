from django.urls import path

from . import views

app_name = "providers"

urlpatterns = [
    path("", views.provider_list_view, name="provider_list"),
    path("<int:pk>/", views.provider_detail, name="provider_detail"),
    path("<int:pk>/terminate/", views.provider_terminate, name="provider_terminate"),
    path("caregivers/", views.caregiver_list_view, name="caregiver_list"),
    path("caregivers/<int:pk>/badge.pdf", views.caregiver_badge, name="caregiver_badge"),
    path("badge/<str:token>/", views.badge_verify, name="badge_verify"),
    path("elders/<int:elder_pk>/card.pdf", views.elder_card, name="elder_card"),
    path("orders/", views.order_list_view, name="order_list"),
    path("orders/new/", views.order_book, name="order_book"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("my/", views.my_visits, name="my_visits"),
    path("my/<int:pk>/", views.visit, name="visit"),
    path("callbacks/", views.callbacks_due, name="callbacks"),
    path("frequency/", views.frequency_report, name="frequency"),
    path("community-callbacks/", views.community_contacts, name="community_contacts"),
    path("rectifications/", views.rectifications, name="rectifications"),
]

# Pages about an elder that keep their path under /subsidies/ (mounted there by ProvidersConfig).
elder_patterns = [
    path("elders/<int:pk>/life-event/", views.life_event, name="life_event_verify"),
]
