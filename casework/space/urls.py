from django.urls import path

from casework.space.views import agreement, breach, channels, entry, journal, requests

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
    path(
        "accord/retirer/<str:category>/",
        agreement.space_agreement_withdraw_category,
        name="space_agreement_withdraw_category",
    ),
    path("accord/renouveler/", agreement.space_agreement_give, name="space_agreement_give"),
    path("deconnexion/", entry.space_logout, name="space_logout"),
    path("journal/", journal.space_journal, name="space_journal"),
    path("signalements/<int:pk>/", breach.space_breach, name="space_breach"),
    path("messages/", requests.space_messages, name="space_messages"),
    path("mes-messages/", channels.space_channels, name="space_channels"),
    path("mes-messages/<str:channel>/", channels.space_channel_give, name="space_channel_give"),
    path(
        "mes-messages/<str:channel>/retirer/",
        channels.space_channel_withdraw,
        name="space_channel_withdraw",
    ),
    path("mes-donnees/", requests.space_data_requests, name="space_data_requests"),
    path(
        "rendez-vous/<int:pk>/changer/",
        requests.space_appointment_change,
        name="space_appointment_change",
    ),
]
