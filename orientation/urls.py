from django.urls import path

from orientation import views

PREFIX = "accompagnements/<int:pk>/diagnostic/"

urlpatterns = [
    path(PREFIX, views.diagnostic, name="diagnostic"),
    path(f"{PREFIX}commencer/", views.diagnostic_start, name="diagnostic_start"),
    path(f"{PREFIX}sections/", views.diagnostic_sections, name="diagnostic_sections"),
    path(
        f"{PREFIX}elements-sociaux/",
        views.diagnostic_social_details,
        name="diagnostic_social_details",
    ),
    path(f"{PREFIX}difficultes/", views.obstacle_add, name="obstacle_add"),
    path(
        f"{PREFIX}difficultes/<int:obstacle_pk>/avis/",
        views.obstacle_opinion,
        name="obstacle_opinion",
    ),
    path(f"{PREFIX}avis-de-la-personne/", views.diagnostic_opinion, name="diagnostic_opinion"),
    path(f"{PREFIX}signer/", views.diagnostic_sign, name="diagnostic_sign"),
    path(f"{PREFIX}nouvelle-version/", views.diagnostic_new_version, name="diagnostic_new_version"),
    path(f"{PREFIX}copie/", views.diagnostic_copy, name="diagnostic_copy"),
]
