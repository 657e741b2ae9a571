from django.db import models


class Role(models.TextChoices):
    ADVISOR = "advisor", "Conseiller·ère France Travail"
    SOCIAL_WORKER = "social_worker", "Travailleur·se social·e"
    SUPERVISOR = "supervisor", "Encadrant·e"
    ADMIN = "admin", "Administrateur·rice fonctionnel·le"
    AUDITOR = "auditor", "Auditeur·rice / DPO"


#: Roles that follow people in a binôme.
PAIR_ROLES = (Role.ADVISOR, Role.SOCIAL_WORKER)


class OrganisationKind(models.TextChoices):
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    DEPARTMENT = "department", "Conseil départemental"
    CCAS = "ccas", "CCAS"
    PLIE = "plie", "PLIE"
    OTHER = "other", "Autre"


class OrientationAuthority(models.TextChoices):
    PCD = "pcd", "Président·e du conseil départemental"
    FRANCE_TRAVAIL = "france_travail", "France Travail, par délégation du département"


class PairEndReason(models.TextChoices):
    DEPARTURE = "departure", "Départ d'un membre du binôme"
    REORGANISATION = "reorganisation", "Réorganisation des équipes"
    OTHER = "other", "Autre motif"
