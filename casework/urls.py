from django.urls import path

from casework import rights_views, views

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
    path("accompagnements/<int:pk>/droits/", rights_views.case_rights, name="case_rights"),
    path(
        "accompagnements/<int:pk>/droits/identite/",
        rights_views.identity_rectify,
        name="identity_rectify",
    ),
    path(
        "accompagnements/<int:pk>/droits/demande/",
        rights_views.person_request_create,
        name="person_request_create",
    ),
    path(
        "accompagnements/<int:pk>/entretiens/<int:interview_pk>/rectifier/",
        rights_views.interview_rectify,
        name="interview_rectify",
    ),
    path("dpo/personnes/", rights_views.person_search, name="person_search"),
    path("dpo/personnes/<int:pk>/", rights_views.person_rights, name="person_rights"),
    path("dpo/personnes/<int:pk>/export/", rights_views.person_export, name="person_export"),
    path("dpo/demandes/", rights_views.person_requests, name="person_requests"),
    path(
        "dpo/demandes/<int:request_pk>/reponse/",
        rights_views.person_request_answer,
        name="person_request_answer",
    ),
    path("dpo/elimination/", rights_views.disposal, name="disposal"),
    path("journal/", views.journal_search, name="journal_search"),
    path("journal/export.csv", views.journal_export, name="journal_export"),
]
