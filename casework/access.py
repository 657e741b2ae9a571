from typing import cast

from django.http import Http404, HttpRequest

from casework import permissions, selectors
from casework.models import Appointment, Case, Programme, SocialRequest
from partners.enums import PAIR_ROLES, Role
from partners.models import Professional


def user_of(request: HttpRequest) -> Professional:
    return cast(Professional, request.user)


def pair_member(request: HttpRequest) -> Professional:
    user = user_of(request)
    if user.role not in PAIR_ROLES:
        raise Http404
    return user


def case_or_404(user: Professional, pk: int) -> Case:
    try:
        return selectors.case_for(user, pk)
    except Case.DoesNotExist as missing:
        raise Http404 from missing


def member_case_or_404(user: Professional, pk: int) -> Case:
    """A case the user follows (change_case); anything else is the same 404."""
    case = case_or_404(user, pk)
    if user.role not in PAIR_ROLES or not permissions.can_change_case(user, case):
        raise Http404
    return case


def admin(request: HttpRequest) -> Professional:
    user = user_of(request)
    if user.role != Role.ADMIN or user.organisation is None:
        raise Http404
    return user


def social_worker_case_or_404(user: Professional, pk: int) -> Case:
    case = member_case_or_404(user, pk)
    if not permissions.can_read_social_notes(user, case):
        raise Http404
    return case


def journal_reader_case_or_404(user: Professional, pk: int) -> Case:
    """The case journal: the binôme, the supervisor of the subtree, the admin and the auditor."""
    case = case_or_404(user, pk)
    if user.role in PAIR_ROLES and not permissions.can_change_case(user, case):
        raise Http404
    return case


def auditor(request: HttpRequest) -> Professional:
    user = user_of(request)
    if user.role != Role.AUDITOR or user.organisation is None:
        raise Http404
    return user


def appointment_or_404(case: Case, appointment_pk: int) -> Appointment:
    appointment = (
        Appointment.objects.filter(pk=appointment_pk, case=case)
        .select_related("with_whom__organisation")
        .first()
    )
    if appointment is None:
        raise Http404
    return appointment


def request_reader(request: HttpRequest) -> Professional:
    """Advisors (who ask) and social correspondents (who answer); nobody else."""
    user = user_of(request)
    if user.role != Role.ADVISOR and not user.is_social_correspondent:
        raise Http404
    return user


def social_request_or_404(user: Professional, pk: int) -> SocialRequest:
    try:
        return selectors.social_request_for(user, pk)
    except SocialRequest.DoesNotExist as missing:
        raise Http404 from missing


def department_member(request: HttpRequest) -> Professional:
    user = user_of(request)
    if user.organisation is None:
        raise Http404
    return user


def programme_or_404(user: Professional, pk: int) -> Programme:
    programme = (
        Programme.objects.filter(
            pk=pk,
            department_id=user.organisation.department_id,  # type: ignore[union-attr]
        )
        .select_related("organiser")
        .first()
    )
    if programme is None:
        raise Http404
    return programme


def delegation_organiser(request: HttpRequest) -> Professional:
    user = user_of(request)
    if user.role not in (*PAIR_ROLES, Role.SUPERVISOR, Role.ADMIN) or user.organisation is None:
        raise Http404
    return user
