from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("", views.register_list, name="register"),
    path("coverage/", views.coverage, name="coverage"),
    path("import/", views.screening_import, name="import"),
    path("import/template.xlsx", views.screening_import_template, name="import_template"),
    path("elders/<int:pk>/screen/", views.screen, name="screen"),
    path("elders/<int:pk>/", views.responsible, name="responsible"),
    path("responsible/<int:pk>/end/", views.responsible_end, name="responsible_end"),
    path("elders/<int:pk>/caregivers/", views.caregivers, name="caregivers"),
    path("caregivers/<int:pk>/end/", views.caregiver_end, name="caregiver_end"),
    path("responses/", views.responses, name="responses"),
    path("responses/<int:pk>/end/", views.response_end, name="response_end"),
    path("today/", views.today, name="today"),
    path("responses/<int:response>/elders/<int:pk>/contact/", views.contact, name="contact"),
    path("escalations/", views.escalations, name="escalations"),
    path("escalations/<int:pk>/close/", views.escalation_close, name="escalation_close"),
]
