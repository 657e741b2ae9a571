"""The territory's offer: local social resources, and collective actions with their sessions,
enrolments and attendance.
"""

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone

from casework.enums import ObstacleCategory, PersonAgreementMethod
from casework.models.cases import Case
from partners.audit import AuditedQuerySet
from partners.models import Department, Organisation, Professional


class ResourceQuerySet(AuditedQuerySet["Resource"]):
    def of_department(self, department_id: int) -> "ResourceQuerySet":
        return self.filter(department_id=department_id)

    def search(self, *, category: str = "", text: str = "") -> "ResourceQuerySet":
        """By obstacle category (a token of ``categories``) and by words of the name, provider,
        description, conditions or place (every word must appear somewhere)."""
        found = self
        if category:
            found = found.filter(categories__contains=f" {category} ")
        for word in text.split()[:8]:
            found = found.filter(
                Q(name__icontains=word)
                | Q(provider__icontains=word)
                | Q(description__icontains=word)
                | Q(conditions__icontains=word)
                | Q(city__icontains=word)
            )
        return found


class Resource(models.Model):
    """A local social resource of the territory's offer (« offre d'insertion du territoire »):
    a CCAS service, housing or debt advice, childcare places, a mobility aid, French courses…

    Exchanged in the national inclusion-offer schema (data·inclusion, ``services`` with their
    ``structures``): ``external_id`` is the schema's service id, ``provider_id`` its structure
    id, ``thematiques`` its themes; ``categories`` are our obstacle categories, derived from the
    themes (see ``casework.directory``). No data about a person here.
    """

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    source = models.CharField("source", max_length=100)
    external_id = models.CharField("identifiant (schéma national)", max_length=200)
    name = models.CharField("nom", max_length=150)
    provider = models.CharField("porteur", max_length=200)
    provider_id = models.CharField("identifiant du porteur (schéma national)", max_length=200)
    #: Obstacle categories, space-separated and space-enclosed (" housing mobility "), so that a
    #: category is one ``contains`` lookup on every database.
    categories = models.CharField("difficultés auxquelles elle répond", max_length=200, blank=True)
    thematiques = models.JSONField("thématiques (schéma national)", default=list)
    description = models.TextField("description")
    conditions = models.TextField("conditions d'accès", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    address = models.CharField("adresse", max_length=255, blank=True)
    postal_code = models.CharField("code postal", max_length=5, blank=True)
    city = models.CharField("commune", max_length=100, blank=True)
    area = models.JSONField("zone (codes géographiques)", default=list, blank=True)
    link = models.URLField("lien", max_length=500, blank=True)
    updated_on = models.DateField("mise à jour le")

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = "ressource du territoire"
        verbose_name_plural = "offre d'insertion du territoire"
        base_manager_name = "objects"
        ordering: ClassVar = ["name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["department", "external_id"], name="resource_unique_external_id"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["department", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def category_list(self) -> list[str]:
        return self.categories.split()

    @property
    def category_labels(self) -> list[str]:
        return [ObstacleCategory(value).label for value in self.categories.split()]


class Programme(models.Model):
    """A collective action (« action collective »): a remobilisation club, workshops… with a
    capacity, a target group and sessions; people are enrolled from their case page."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="département"
    )
    name = models.CharField("nom", max_length=150)
    organiser = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="organisé par"
    )
    target_group = models.CharField("public visé", max_length=255)
    description = models.TextField("description", blank=True)
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    capacity = models.PositiveSmallIntegerField("places")
    created_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "action collective"
        verbose_name_plural = "actions collectives"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="programme_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="programme_has_places"),
        ]

    def __str__(self) -> str:
        return self.name


class ProgrammeSession(models.Model):
    """One session of a collective action (« séance »), with its attendance sheet."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="sessions", verbose_name="action"
    )
    starts_at = models.DateTimeField("date et heure")
    topic = models.CharField("thème", max_length=150)
    place = models.CharField("lieu", max_length=255, blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "séance d'action collective"
        verbose_name_plural = "séances d'actions collectives"
        base_manager_name = "objects"
        ordering: ClassVar = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"Séance n°{self.pk}"


class Enrolment(models.Model):
    """A person enrolled in a collective action, with their agreement, from their case."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="enrolments", verbose_name="action"
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="enrolments", verbose_name="accompagnement"
    )
    person_agreed_at = models.DateTimeField("accord de la personne donné le")
    agreement_method = models.CharField(
        "accord recueilli par", max_length=12, choices=PersonAgreementMethod.choices
    )
    enrolled_by = models.ForeignKey(
        Professional, on_delete=models.PROTECT, related_name="+", verbose_name="inscrit·e par"
    )
    enrolled_at = models.DateTimeField("inscrit·e le", default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "inscription à une action collective"
        verbose_name_plural = "inscriptions à des actions collectives"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["programme", "case"],
                name="enrolment_once_per_case",
                violation_error_message="La personne est déjà inscrite à cette action.",
            ),
        ]

    def __str__(self) -> str:
        return f"Inscription n°{self.pk}"


class Attendance(models.Model):
    """One line of a session's attendance sheet (« émargement »): present or absent."""

    session = models.ForeignKey(
        ProgrammeSession, on_delete=models.PROTECT, related_name="attendances"
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendances")
    present = models.BooleanField("présent·e")
    recorded_by = models.ForeignKey(Professional, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = "émargement"
        verbose_name_plural = "émargements"
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"Émargement n°{self.pk}"
