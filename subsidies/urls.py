from django.urls import include, path

urlpatterns: list = [
    path("", include("subsidies.urls_policies")),
    # The intake and review pages carry the "subsidies:" namespace (app_name in that module).
    path("", include("subsidies.urls_applications")),
]
