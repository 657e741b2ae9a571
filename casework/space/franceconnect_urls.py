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
    path("delier/", franceconnect.space_franceconnect_untie, name="space_franceconnect_untie"),
    path(
        "deconnexion/",
        franceconnect.space_franceconnect_logged_out,
        name="space_franceconnect_logged_out",
    ),
    path(
        "sans-espace/",
        franceconnect.space_franceconnect_unknown,
        name="space_franceconnect_unknown",
    ),
]
