from django.urls import path

from orientation import views

PREFIX = "accompagnements/<int:pk>/diagnostic/"
ORIENTATION = "accompagnements/<int:pk>/orientation/"
PLAN = "accompagnements/<int:pk>/plan/"

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
    path(
        f"{PREFIX}difficultes/<int:obstacle_pk>/rectifier/",
        views.obstacle_rectify,
        name="obstacle_rectify",
    ),
    path(f"{PREFIX}avis-de-la-personne/", views.diagnostic_opinion, name="diagnostic_opinion"),
    path(f"{PREFIX}signer/", views.diagnostic_sign, name="diagnostic_sign"),
    path(f"{PREFIX}nouvelle-version/", views.diagnostic_new_version, name="diagnostic_new_version"),
    path(f"{PREFIX}copie/", views.diagnostic_copy, name="diagnostic_copy"),
    path(f"{ORIENTATION}", views.orientation, name="orientation"),
    path(f"{ORIENTATION}preconisation/", views.recommendation_create, name="recommendation_create"),
    path(
        f"{ORIENTATION}preconisations/<int:rec_pk>/signer/",
        views.recommendation_sign,
        name="recommendation_sign",
    ),
    path(
        f"{ORIENTATION}preconisations/<int:rec_pk>/valider/",
        views.recommendation_validate,
        name="recommendation_validate",
    ),
    path(f"{ORIENTATION}decision/", views.decision_create, name="decision_create"),
    path(
        f"{ORIENTATION}decisions/<int:decision_pk>/courrier/",
        views.decision_letter,
        name="decision_letter",
    ),
    path(f"{PLAN}", views.action_plan, name="action_plan"),
    path(f"{PLAN}contrat/", views.plan_contract, name="plan_contract"),
    path(f"{PLAN}actions/", views.action_add, name="action_add"),
    path(f"{PLAN}actions/<int:action_pk>/", views.action_status, name="action_status"),
    path(f"{PLAN}freins/<int:obstacle_pk>/lever/", views.obstacle_lift, name="obstacle_lift"),
    path(f"{PLAN}imprimer/", views.plan_print, name="plan_print"),
    path("tableau-de-bord/", views.supervision, name="supervision"),
    path("tableau-de-bord/liste/<slug:figure>/", views.supervision_list, name="supervision_list"),
    path("tableau-de-bord/export.<str:fmt>", views.supervision_export, name="supervision_export"),
    path("preconisations-a-valider/", views.to_validate, name="to_validate"),
    path("decisions-a-enregistrer/", views.to_decide, name="to_decide"),
    path("notifications/", views.notifications, name="notifications"),
]
