from django.urls import path

from casework.space import views

urlpatterns = [
    path("", views.space_home, name="space_home"),
    path("connexion/", views.space_login, name="space_login"),
    path("connexion/code/", views.space_code, name="space_code"),
    path("deconnexion/", views.space_logout, name="space_logout"),
]
