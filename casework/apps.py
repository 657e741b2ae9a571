from django.apps import AppConfig

#: The person's identity and contact: masked in the audit trail, replaced at final disposal.
IDENTITY_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "france_travail_id",
    "rsa_number",
    "phone",
    "email",
    "address",
    "postal_code",
    "city",
)


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Accompagnements"

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.contrib.auth.signals import user_logged_in

        from casework import models
        from casework.space.session import drop_on_professional_login

        user_logged_in.connect(drop_on_professional_login, dispatch_uid="binome_space_session")
        from anymail.signals import tracking

        from casework.messages.reports import email_report

        tracking.connect(email_report, dispatch_uid="binome_email_report")
        from partners.models import Pair
        from partners.services import register_open_case_counter

        def open_cases(pair: Pair) -> int:
            return models.Case.objects.open().filter(pair=pair).count()

        register_open_case_counter(open_cases)

        from casework.journal import record_rights_change
        from partners.services import register_rights_listener

        register_rights_listener(record_rights_change)

        from casework.personal_data import track

        track(
            models.Beneficiary,
            person_path="",
            section="Identité et situation",
            masked=IDENTITY_FIELDS,
        )
        track(
            models.Case,
            person_path="beneficiary",
            section="Accompagnements",
            free_text=("six_month_review", "end_review"),
        )
        track(
            models.CasePairPeriod,
            person_path="case__beneficiary",
            section="Binômes successifs",
            free_text=("reason",),
        )
        track(models.Suspension, person_path="case__beneficiary", section="Suspensions")
        track(
            models.Interview,
            person_path="case__beneficiary",
            section="Entretiens",
            free_text=("summary",),
            order_by=("occurred_on", "pk"),
        )
        track(
            models.Appointment,
            person_path="case__beneficiary",
            section="Rendez-vous",
            free_text=("place", "person_explanation"),
            order_by=("planned_at", "pk"),
        )
        track(
            models.BreachReport,
            person_path="case__beneficiary",
            section="Signalements de manquement",
            free_text=("reason", "observations"),
        )
        track(models.Note, person_path="case__beneficiary", section="Notes", free_text=("text",))
        track(
            models.SocialNote,
            person_path="case__beneficiary",
            section="Notes sociales",
            free_text=("text",),
        )
        track(
            models.PairContact,
            person_path="cases__beneficiary",
            section="Points binôme où la situation a été évoquée",
            free_text=("summary",),
            m2m_fields={"cases"},
        )
        track(
            models.SharingAgreement,
            person_path="case__beneficiary",
            section="Accords de partage",
        )
        track(
            models.Rectification,
            person_path="beneficiary",
            section="Rectifications",
            free_text=("previous_value", "new_value", "reason"),
        )
        track(
            models.PersonRequest,
            person_path="beneficiary",
            section="Demandes sur les données",
            free_text=("text", "answer"),
        )
        track(
            models.DisposalApproval,
            person_path="beneficiaries",
            section="Visa d'élimination",
        )
        track(
            models.SocialRequest,
            person_path="beneficiary",
            section="Demandes ponctuelles aux correspondant·es sociaux·ales",
            free_text=("question", "answer"),
        )
        track(
            models.Enrolment,
            person_path="case__beneficiary",
            section="Inscriptions à des actions collectives",
        )
        track(
            models.Attendance,
            person_path="enrolment__case__beneficiary",
            section="Émargements des actions collectives",
        )
        # The territory's offer and the collective actions themselves hold nobody's data.
        auditlog.register(models.Resource)
        auditlog.register(models.Programme, mask_fields=["description"])
        auditlog.register(models.ProgrammeSession, mask_fields=["place"])
        # The record of a CAF/MSA flow: counts and the file's name; the lines to confirm
        # (people's numbers and RSA details) and a refused file's errors (they may quote a
        # value of the file) are not copied into the audit trail.
        auditlog.register(models.FlowImport, exclude_fields=["pending", "errors"])
        auditlog.register(models.MessageTemplate)
        track(
            models.Delegation,
            person_path="cases__beneficiary",
            section="Remplacements couvrant l'accompagnement",
            masked=("reason",),  # a professional's absence, not the person's: kept at disposal
            m2m_fields={"cases"},
        )
        for permission_model in (models.CaseUserObjectPermission, models.CaseGroupObjectPermission):
            # Grants and revokes of case permissions are recorded in the journal, which is
            # itself append-only; neither is in auditlog's registry.
            track(
                permission_model,
                person_path="content_object__beneficiary",
                section="Droits d'accès en cours",
                audited=False,
            )
        track(
            models.SpaceAccess,
            person_path="beneficiary",
            section="Accès à l'espace de la personne",
            masked=("email", "phone", "franceconnect_sub"),
        )
        track(
            models.MessageConsent,
            person_path="beneficiary",
            section="Accords pour recevoir des messages",
            free_text=("address",),  # erased at disposal, masked in the audit trail
        )
        track(
            models.SentMessage,
            person_path="case__beneficiary",
            section="Messages envoyés à la personne",
        )
        track(
            models.PersonMessage,
            person_path="case__beneficiary",
            section="Messages et demandes envoyés depuis l'espace de la personne",
            free_text=("text",),
        )
        # Codes are kept hashed for ten minutes of use: not in the audit trail (a row per login).
        track(
            models.SpaceCode,
            person_path="access__beneficiary",
            section="Codes de connexion à l'espace de la personne",
            audited=False,
            not_exported=("code_hash",),
        )
        track(
            models.InformationShare,
            person_path="beneficiary",
            section="Journal des accès et des partages",
            audited=False,
            not_exported=("prev_hash", "hash", "ip", "request_id"),
            order_by=("department", "seq"),
            named=("recipient",),
        )
