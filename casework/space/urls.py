from django.urls import path

from casework.space.views import entry, requests

urlpatterns = [
    path("", entry.space_home, name="space_home"),
    path("connexion/", entry.space_login, name="space_login"),
    path("connexion/code/", entry.space_code, name="space_code"),
    path("deconnexion/", entry.space_logout, name="space_logout"),
    path("messages/", requests.space_messages, name="space_messages"),
    path("mes-donnees/", requests.space_data_requests, name="space_data_requests"),
    path(
        "rendez-vous/<int:pk>/changer/",
        requests.space_appointment_change,
        name="space_appointment_change",
    ),
]
