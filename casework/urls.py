from django.urls import path

from casework import views

urlpatterns = [
    path("portefeuille/", views.caseload, name="caseload"),
    path("personnes/nouvelle/", views.beneficiary_create, name="beneficiary_create"),
    path("accompagnements/<int:pk>/", views.case_detail, name="case_detail"),
    path("accompagnements/<int:pk>/entretiens/", views.interview_log, name="interview_log"),
    path("accompagnements/<int:pk>/notes/", views.note_add, name="note_add"),
    path("accompagnements/<int:pk>/notes-sociales/", views.social_note_add, name="social_note_add"),
    path("accompagnements/<int:pk>/etat/", views.case_transition, name="case_transition"),
    path(
        "accompagnements/<int:pk>/changement-de-binome/",
        views.case_handover,
        name="case_handover",
    ),
    path(
        "accompagnements/<int:pk>/courrier-changement-de-referent/",
        views.handover_letter,
        name="handover_letter",
    ),
    path(
        "binomes/<int:pair_pk>/points/nouveau/",
        views.pair_contact_create,
        name="pair_contact_create",
    ),
    path("changements-de-binome/", views.handover, name="handover"),
    path(
        "accompagnements/<int:pk>/accord-de-partage/",
        views.agreement_record,
        name="agreement_record",
    ),
    path(
        "accompagnements/<int:pk>/accord-de-partage/retrait/",
        views.agreement_withdraw,
        name="agreement_withdraw",
    ),
    path(
        "accompagnements/<int:pk>/notice-d-information/",
        views.information_notice,
        name="information_notice",
    ),
    path("accompagnements/<int:pk>/journal/", views.case_journal, name="case_journal"),
    path(
        "accompagnements/<int:pk>/journal/imprimer/",
        views.case_journal_print,
        name="case_journal_print",
    ),
    path("accompagnements/<int:pk>/rendez-vous/", views.appointments, name="appointments"),
    path(
        "accompagnements/<int:pk>/rendez-vous/nouveau/",
        views.appointment_plan,
        name="appointment_plan",
    ),
    path(
        "accompagnements/<int:pk>/rendez-vous/<int:appointment_pk>/issue/",
        views.appointment_outcome,
        name="appointment_outcome",
    ),
    path(
        "accompagnements/<int:pk>/rendez-vous/<int:appointment_pk>/convocation/",
        views.convocation,
        name="convocation",
    ),
    path("accompagnements/<int:pk>/signalement/", views.breach_report, name="breach_report"),
    path("accompagnements/<int:pk>/etapes/", views.case_milestone, name="case_milestone"),
    path("remplacements/", views.delegations, name="delegations"),
    path("remplacements/<int:pk>/arret/", views.delegation_revoke, name="delegation_revoke"),
    path("journal/", views.journal_search, name="journal_search"),
    path("journal/export.csv", views.journal_export, name="journal_export"),
]
