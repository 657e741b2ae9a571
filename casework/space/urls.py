from django.urls import path

from casework.space.views import agreement, entry

urlpatterns = [
    path("", entry.space_home, name="space_home"),
    path("connexion/", entry.space_login, name="space_login"),
    path("connexion/code/", entry.space_code, name="space_code"),
    path("accord/", agreement.space_agreement, name="space_agreement"),
    path(
        "accord/retirer/",
        agreement.space_agreement_withdraw,
        name="space_agreement_withdraw",
    ),
    path("deconnexion/", entry.space_logout, name="space_logout"),
]
