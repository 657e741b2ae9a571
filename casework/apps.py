from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Accompagnements"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from casework import models
        from partners.services import register_open_case_counter

        def open_cases(pair: models.Pair) -> int:
            return models.Case.objects.open().filter(pair=pair).count()

        register_open_case_counter(open_cases)

        auditlog.register(
            models.Beneficiary,
            mask_fields=[
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
            ],
        )
        auditlog.register(models.Case, mask_fields=["six_month_review", "end_review"])
        auditlog.register(models.CasePairPeriod, mask_fields=["reason"])
        auditlog.register(models.Suspension)
        auditlog.register(models.Interview, mask_fields=["summary"])
        auditlog.register(models.Note, mask_fields=["text"])
        auditlog.register(models.SocialNote, mask_fields=["text"])
        auditlog.register(models.PairContact, mask_fields=["summary"], m2m_fields={"cases"})
        auditlog.register(models.SharingAgreement)
        auditlog.register(models.Appointment, mask_fields=["place", "person_explanation"])
        auditlog.register(models.BreachReport, mask_fields=["reason"])
        auditlog.register(models.Delegation, mask_fields=["reason"], m2m_fields={"cases"})
        # Grants and revokes of case permissions are recorded in the journal (InformationShare),
        # which is itself append-only; neither is in auditlog's registry.
