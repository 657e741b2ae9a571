from django.apps import AppConfig


class OrientationConfig(AppConfig):
    name = "orientation"
    verbose_name = "Diagnostic et orientation"

    def ready(self) -> None:
        from casework.personal_data import track
        from orientation import models, services
        from partners.outbox import register_sweeper

        register_sweeper(services.notifications_sweep)

        track(
            models.Diagnostic,
            person_path="case__beneficiary",
            section="Diagnostics partagés (toutes les versions)",
            free_text=(
                "person_words",
                "strengths",
                "professional_situation",
                "social_summary",
                "person_opinion_comment",
            ),
            order_by=("case", "version"),
        )
        track(
            models.Obstacle,
            person_path="diagnostic__case__beneficiary",
            section="Difficultés (freins périphériques)",
            free_text=("in_persons_words",),
        )
        track(
            models.SocialDetails,
            person_path="diagnostic__case__beneficiary",
            section="Éléments sociaux détaillés",
            free_text=("text",),
        )
        track(
            models.ObstacleLift,
            person_path="obstacle__diagnostic__case__beneficiary",
            section="Difficultés levées",
        )
        track(
            models.Recommendation,
            person_path="case__beneficiary",
            section="Préconisations du binôme",
            free_text=("rationale", "person_comment", "validation_comment"),
        )
        track(
            models.OrientationDecision,
            person_path="case__beneficiary",
            section="Décisions d'orientation",
            free_text=("reasons", "person_comment"),
        )
        track(
            models.ActionPlan,
            person_path="case__beneficiary",
            section="Plans d'action",
            free_text=("contract_reference",),
        )
        track(
            models.Action,
            person_path="plan__case__beneficiary",
            section="Actions du plan",
            free_text=("title", "partner_name", "person_comment"),
        )
        track(
            models.Notification,
            person_path=("case__beneficiary", "social_request__beneficiary"),
            section="Notifications aux professionnels",
            audited=False,
            not_exported=("key",),
        )
