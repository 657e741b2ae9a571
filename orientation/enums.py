from django.db import models

from casework.enums import DiagnosticState, ObstacleCategory

__all__ = ["DiagnosticState", "Impact", "ObstacleCategory"]


class Impact(models.TextChoices):
    STRONG = "strong", "Impact fort"
    MEDIUM = "medium", "Impact moyen"
    NONE = "none", "Sans impact"
