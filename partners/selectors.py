"""Reads of the partners app used by the start pages."""

from django.db.models import Count, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.enums import Role
from partners.models import (
    Department,
    Organisation,
    OrganisationQuerySet,
    Pair,
    PairQuerySet,
    Professional,
)


def supervised_organisations(supervisor: Professional) -> OrganisationQuerySet:
    """The supervisor's organisation and everything below it; nothing without an organisation."""
    if supervisor.organisation is None:
        return Organisation.objects.none()
    return Organisation.objects.subtree_of(supervisor.organisation)


def pairs_of_professional(professional: Professional) -> PairQuerySet:
    return Pair.objects.active().of(professional).with_members().order_by("started_on", "pk")


def pairs_of_supervisor(supervisor: Professional) -> PairQuerySet:
    """Active pairs with at least one member in the supervisor's organisation subtree."""
    subtree = supervised_organisations(supervisor).values("pk")
    return (
        Pair.objects.active()
        .filter(Q(advisor__organisation__in=subtree) | Q(social_worker__organisation__in=subtree))
        .with_members()
        .order_by("advisor__last_name", "social_worker__last_name", "pk")
    )


def pairs_of_department(department: Department) -> PairQuerySet:
    return (
        Pair.objects.active()
        .filter(department=department)
        .with_members()
        .order_by("advisor__last_name", "social_worker__last_name", "pk")
    )


def team_of_supervisor(supervisor: Professional) -> QuerySet[Professional]:
    return (
        Professional.objects.filter(
            organisation__in=supervised_organisations(supervisor).values("pk"), is_active=True
        )
        .select_related("organisation")
        .order_by("last_name", "first_name", "pk")
    )


def organisations_of_department(department: Department) -> OrganisationQuerySet:
    return (
        Organisation.objects.filter(department=department)
        .annotate(
            active_professionals=Count("professionals", filter=Q(professionals__is_active=True))
        )
        .order_by("path")
    )


def dpo_addresses(department_id: int) -> list[str]:
    """The DPO of a department: the e-mail addresses of its active auditors."""
    return list(
        Professional.objects.filter(
            role=Role.AUDITOR, is_active=True, organisation__department_id=department_id
        )
        .order_by("email")
        .values_list("email", flat=True)
    )


def enrolment_code_givers(professional: Professional) -> list[str]:
    """The names of who may hand ``professional`` an enrolment code: the other active
    administrators of their department (ten at most)."""
    if professional.organisation is None:
        return []
    return [
        admin.full_name
        for admin in Professional.objects.filter(
            role=Role.ADMIN,
            is_active=True,
            organisation__department=professional.organisation.department_id,
        )
        .exclude(pk=professional.pk)
        .order_by("last_name", "first_name")[:10]
    ]


def second_factor_device(professional: Professional) -> TOTPDevice | None:
    """The authenticator whose codes the code page checks (the first confirmed one)."""
    return TOTPDevice.objects.filter(user=professional, confirmed=True).order_by("pk").first()
