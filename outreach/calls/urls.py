from django.urls import path

from . import views

app_name = "outreach_calls"

urlpatterns = [
    path("", views.today, name="today"),
    path("calls/<int:pk>/", views.call, name="call"),
    path("plans/", views.plans, name="plans"),
    path("plans/<int:pk>/end/", views.plan_end, name="plan_end"),
    path("visits/", views.visits, name="visits"),
    path("visits/<int:pk>/", views.visit, name="visit"),
]
