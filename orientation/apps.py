from django.apps import AppConfig


class OrientationConfig(AppConfig):
    name = "orientation"
    verbose_name = "Diagnostic et orientation"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from orientation import models

        auditlog.register(
            models.Diagnostic,
            mask_fields=[
                "person_words",
                "strengths",
                "professional_situation",
                "social_summary",
                "person_opinion_comment",
            ],
        )
        auditlog.register(models.Obstacle, mask_fields=["in_persons_words"])
        auditlog.register(models.SocialDetails, mask_fields=["text"])
        auditlog.register(
            models.Recommendation,
            mask_fields=["rationale", "person_comment", "validation_comment"],
        )
        auditlog.register(models.OrientationDecision, mask_fields=["reasons", "person_comment"])
        auditlog.register(models.ActionPlan)
        auditlog.register(models.Action, mask_fields=["title", "partner_name"])
        auditlog.register(models.ObstacleLift)
