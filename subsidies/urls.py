from django.urls import include, path

urlpatterns: list = [
    path("", include("subsidies.urls_policies")),
]
