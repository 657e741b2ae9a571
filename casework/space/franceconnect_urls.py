"""FranceConnect's URLs in the person's space, under /mon-espace/franceconnect/: mounted by
config/urls.py only when FranceConnect is configured (``BINOME_FRANCECONNECT_ENABLED``)."""

from django.urls import path

from casework.space.views import franceconnect

urlpatterns = [
    path(
        "connexion/",
        franceconnect.FranceConnectLogin.as_view(),
        name="space_franceconnect_login",
    ),
    path(
        "retour/",
        franceconnect.FranceConnectCallback.as_view(),
        name="space_franceconnect_callback",
    ),
    path("lier/", franceconnect.space_franceconnect_tie, name="space_franceconnect_tie"),
    path(
        "sans-espace/",
        franceconnect.space_franceconnect_unknown,
        name="space_franceconnect_unknown",
    ),
]
