from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Binôme — administration fonctionnelle"
admin.site.site_title = "Binôme"
admin.site.index_title = "Départements, organisations, professionnel·les et binômes"

urlpatterns = [
    path("", include("partners.urls")),
    path("", include("casework.urls")),
    path("", include("orientation.urls")),
    path("admin/", admin.site.urls),
]

if settings.BINOME_PROCONNECT_ENABLED:  # ProConnect login, only when configured
    urlpatterns.insert(0, path("proconnect/", include("mozilla_django_oidc.urls")))
