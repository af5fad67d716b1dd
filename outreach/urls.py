from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("", views.register_list, name="register"),
    path("coverage/", views.coverage, name="coverage"),
    path("import/", views.screening_import, name="import"),
    path("elders/<int:pk>/screen/", views.screen, name="screen"),
    path("elders/<int:pk>/", views.responsible, name="responsible"),
    path("responsible/<int:pk>/end/", views.responsible_end, name="responsible_end"),
]
