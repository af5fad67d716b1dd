from django.urls import path

from . import views

app_name = "outreach_reports"

urlpatterns = [
    path("", views.responses, name="responses"),
    path("today/", views.today, name="today"),
    path("unreported/", views.unreported, name="unreported"),
    path("responses/<int:response>/units/<str:kind>/<int:pk>/submit/", views.submit, name="submit"),
    path("responses/<int:pk>/", views.rollup, name="rollup"),
    path("responses/<int:pk>/history/", views.history, name="history"),
    path("responses/<int:pk>/<str:day>/pdf/", views.report_pdf, name="pdf"),
    path("responses/<int:pk>/<str:day>/xlsx/", views.report_xlsx, name="xlsx"),
    path("<int:pk>/", views.report, name="report"),
]
