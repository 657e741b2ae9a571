"""The project's URLs with ProConnect's, as config.urls has them when ProConnect is configured."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("proconnect/", include("mozilla_django_oidc.urls")),
    *project_urlpatterns,
]
