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


#: Waiting for the person's and the binôme's signatures, a supervisor's validation or a decision.
WAITING_RECOMMENDATION_STATES = (
    RecommendationState.SIGNING,
    RecommendationState.VALIDATION,
    RecommendationState.AWAITING_DECISION,
)


#: Diagnostics the binôme still has to sign: a draft, or the person's opinion recorded.
WAITING_DIAGNOSTIC_STATES = (
    DiagnosticState.DRAFT,
    DiagnosticState.VALIDATED,
    DiagnosticState.CONTESTED,
)


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
    OVERDUE_INTERVIEW = "overdue", "Sans entretien depuis plus de 30 jours"
    SIGNATURE_LATE = "signature_late", "Signature en attente depuis plus de 7 jours"
    AGREEMENT_EXPIRING = "agreement", "Accord de partage qui expire dans les 30 jours"
    ACTION_OVERDUE = "action", "Action du plan dont l'échéance est passée"
    REQUEST_DUE = "request_due", "Demande ponctuelle sans réponse à l'échéance"


class ActionOwner(models.TextChoices):
    PERSON = "person", "La personne"
    ADVISOR = "advisor", "Le ou la conseiller·ère"
    SOCIAL_WORKER = "social_worker", "Le ou la travailleur·se social·e"
    PARTNER = "partner", "Un partenaire"


class ActionStatus(models.TextChoices):
    TO_DO = "todo", "À faire"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Faite"
    DROPPED = "dropped", "Abandonnée"


class ContractKind(models.TextChoices):
    CONTRAT_ENGAGEMENT = "contrat_engagement", "Contrat d'engagement"
    CER = "cer", "Contrat d'engagements réciproques (CER, avant 2025)"
    PPAE = "ppae", "Projet personnalisé d'accès à l'emploi (PPAE, avant 2025)"
