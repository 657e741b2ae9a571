"""The project's URLs with FranceConnect's, as config.urls has them when FranceConnect is
configured."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("mon-espace/franceconnect/", include("casework.space.franceconnect_urls")),
    *project_urlpatterns,
]
