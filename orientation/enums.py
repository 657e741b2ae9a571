from django.db import models

from casework.enums import DiagnosticState, ObstacleCategory, OrientationPath

__all__ = ["DiagnosticState", "Impact", "ObstacleCategory", "OrientationPath"]


class Impact(models.TextChoices):
    STRONG = "strong", "Impact fort"
    MEDIUM = "medium", "Impact moyen"
    NONE = "none", "Sans impact"


class RecommendationState(models.TextChoices):
    SIGNING = "signing", "En attente de signature"
    VALIDATION = "validation", "En attente de validation par l'encadrement"
    REJECTED = "rejected", "Renvoyée au binôme par l'encadrement"
    AWAITING_DECISION = "awaiting_decision", "En attente de décision"
    DECIDED = "decided", "Décision rendue"


class DecisionBasis(models.TextChoices):
    RECOMMENDATION = "recommendation", "Préconisation du binôme"
    NATIONAL_CRITERIA = "national_criteria", "Critères nationaux d'orientation"


class DecidingAuthority(models.TextChoices):
    PCD = "pcd", "Président·e du conseil départemental"
    FRANCE_TRAVAIL_DELEGATION = (
        "france_travail_delegation",
        "France Travail, par délégation du département",
    )
    FRANCE_TRAVAIL = "france_travail", "France Travail"


class NotificationKind(models.TextChoices):
    SIGNATURE = "signature", "Préconisation à signer"
    VALIDATION = "validation", "Préconisation à valider"
    DECISION = "decision", "Décision à enregistrer"
