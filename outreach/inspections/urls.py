from django.urls import path

from . import views

app_name = "outreach_inspections"

urlpatterns = [
    path("", views.inspections, name="inspections"),
    path("new/", views.inspection_new, name="inspection_new"),
    path("<int:pk>/", views.inspection, name="inspection"),
    path("problems/", views.problems, name="problems"),
    path("problems/<int:pk>/", views.problem, name="problem"),
    path("continuity/", views.continuity_report, name="continuity"),
]
