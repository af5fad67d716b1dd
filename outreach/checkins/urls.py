from django.urls import path

from . import views

app_name = "outreach_checkins"

urlpatterns = [
    path("", views.enrolments, name="list"),
    path("enrol/", views.enrol, name="enrol"),
    path("enrolments/<int:pk>/", views.enrolment, name="enrolment"),
    path("enrolments/<int:pk>/reissue/", views.enrolment_reissue, name="reissue"),
    path("enrolments/<int:pk>/end/", views.enrolment_end, name="end"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:pk>/", views.alert, name="alert"),
    path("i/<str:token>/", views.page, name="page"),
    path("sms/", views.sms_webhook, name="sms"),
]
