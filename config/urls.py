from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse

admin.site.site_header = "Binôme — administration fonctionnelle"
admin.site.site_title = "Binôme"
admin.site.index_title = "Départements, organisations, professionnel·les et binômes"


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin site's own login page would skip login throttling and the second factor: it
    sends to Binôme's login page instead."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = admin_login  # type: ignore[method-assign]

# French error pages, in the site's layout (400, 403, 404) or standalone (500, and 503 with
# Retry-After when the database is unreachable).
handler400 = "partners.error_pages.bad_request"
handler403 = "partners.error_pages.permission_denied"
handler404 = "partners.error_pages.page_not_found"
handler500 = "partners.unavailable.server_error"

urlpatterns = [
    path("", include("partners.urls")),
    path("", include("casework.urls")),
    path("", include("orientation.urls")),
    # The person's own space: its own session, never a professional's (casework.space).
    path("mon-espace/", include("casework.space.urls")),
    path("mon-espace/", include("orientation.space.urls")),
    # Delivery reports of the message providers (casework.messages): a shared secret, no session.
    path("webhooks/", include("casework.messages.urls")),
    # The partner API: a partner system's key, never a session (partners.api).
    path("api/v1/", include("partners.api.urls")),
    path("api/v1/", include("orientation.api.urls")),
    path("api/v1/", include("casework.api.urls")),
    path("admin/", admin.site.urls),
]

if settings.BINOME_PROCONNECT_ENABLED:  # ProConnect login, only when configured
    urlpatterns.insert(0, path("proconnect/", include("mozilla_django_oidc.urls")))

if settings.BINOME_FRANCECONNECT_ENABLED:  # FranceConnect in the person's space, when configured
    urlpatterns.insert(
        0, path("mon-espace/franceconnect/", include("casework.space.franceconnect_urls"))
    )
