from django.urls import path

from orientation.views import diagnostic, inbox, plan, recommendations, supervision

PREFIX = "accompagnements/<int:pk>/diagnostic/"
ORIENTATION = "accompagnements/<int:pk>/orientation/"
PLAN = "accompagnements/<int:pk>/plan/"

urlpatterns = [
    path(PREFIX, diagnostic.diagnostic, name="diagnostic"),
    path(f"{PREFIX}commencer/", diagnostic.diagnostic_start, name="diagnostic_start"),
    path(f"{PREFIX}sections/", diagnostic.diagnostic_sections, name="diagnostic_sections"),
    path(
        f"{PREFIX}elements-sociaux/",
        diagnostic.diagnostic_social_details,
        name="diagnostic_social_details",
    ),
    path(f"{PREFIX}difficultes/", diagnostic.obstacle_add, name="obstacle_add"),
    path(
        f"{PREFIX}difficultes/<int:obstacle_pk>/avis/",
        diagnostic.obstacle_opinion,
        name="obstacle_opinion",
    ),
    path(
        f"{PREFIX}difficultes/<int:obstacle_pk>/rectifier/",
        diagnostic.obstacle_rectify,
        name="obstacle_rectify",
    ),
    path(f"{PREFIX}avis-de-la-personne/", diagnostic.diagnostic_opinion, name="diagnostic_opinion"),
    path(f"{PREFIX}signer/", diagnostic.diagnostic_sign, name="diagnostic_sign"),
    path(
        f"{PREFIX}nouvelle-version/",
        diagnostic.diagnostic_new_version,
        name="diagnostic_new_version",
    ),
    path(f"{PREFIX}copie/", diagnostic.diagnostic_copy, name="diagnostic_copy"),
    path(f"{ORIENTATION}", recommendations.orientation, name="orientation"),
    path(
        f"{ORIENTATION}preconisation/",
        recommendations.recommendation_create,
        name="recommendation_create",
    ),
    path(
        f"{ORIENTATION}preconisations/<int:rec_pk>/signer/",
        recommendations.recommendation_sign,
        name="recommendation_sign",
    ),
    path(
        f"{ORIENTATION}preconisations/<int:rec_pk>/valider/",
        recommendations.recommendation_validate,
        name="recommendation_validate",
    ),
    path(f"{ORIENTATION}decision/", recommendations.decision_create, name="decision_create"),
    path(
        f"{ORIENTATION}decisions/<int:decision_pk>/courrier/",
        recommendations.decision_letter,
        name="decision_letter",
    ),
    path(f"{PLAN}", plan.action_plan, name="action_plan"),
    path(f"{PLAN}contrat/", plan.plan_contract, name="plan_contract"),
    path(f"{PLAN}actions/", plan.action_add, name="action_add"),
    path(f"{PLAN}actions/<int:action_pk>/", plan.action_status, name="action_status"),
    path(f"{PLAN}freins/<int:obstacle_pk>/lever/", plan.obstacle_lift, name="obstacle_lift"),
    path(f"{PLAN}imprimer/", plan.plan_print, name="plan_print"),
    path("tableau-de-bord/", supervision.supervision, name="supervision"),
    path(
        "tableau-de-bord/liste/<slug:figure>/",
        supervision.supervision_list,
        name="supervision_list",
    ),
    path("tableau-de-bord/delais/", supervision.supervision_delays, name="supervision_delays"),
    path(
        "tableau-de-bord/delais/liste/",
        supervision.supervision_delays_list,
        name="supervision_delays_list",
    ),
    path(
        "tableau-de-bord/delais/export.csv",
        supervision.supervision_delays_export,
        name="supervision_delays_export",
    ),
    path(
        "tableau-de-bord/export.<str:fmt>",
        supervision.supervision_export,
        name="supervision_export",
    ),
    path("preconisations-a-valider/", inbox.to_validate, name="to_validate"),
    path("decisions-a-enregistrer/", inbox.to_decide, name="to_decide"),
    path("notifications/", inbox.notifications, name="notifications"),
]
