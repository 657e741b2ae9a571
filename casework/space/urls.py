from django.urls import path

from casework.space.views import entry

urlpatterns = [
    path("", entry.space_home, name="space_home"),
    path("connexion/", entry.space_login, name="space_login"),
    path("connexion/code/", entry.space_code, name="space_code"),
    path("deconnexion/", entry.space_logout, name="space_logout"),
]
