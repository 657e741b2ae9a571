"""Who may open what in the casework pages, in one place.

Every view asks this module before it reads anything, like Zulip's ``access_stream_by_id``:

- ``access_*`` functions load one object the user may open, or raise ``Http404``. "No such
  object" and "not yours" are the same 404, so that a page never tells whether a person exists.
  Cases are read through ``selectors.case_for`` (``Case.objects.visible_to(user)``, with what the
  case page shows); ``need=`` says what the page needs beyond seeing the case.
- ``in_pair``, ``is_admin``… say what a page is for (the role predicates of ``partners.access``);
  ``may_*`` predicates say what the user may do with an object. Views and templates' flags use
  them instead of comparing ``user.role``.
- ``require(allowed)`` turns a refused predicate into the same 404.

Grants (django-guardian) stay in ``casework.permissions``, the only module that writes them; the
case-level checks here call its ``can_change_case`` / ``can_read_social_notes``. The predicates
that the services check again under lock (``can_take_attendance``,
``is_territory_correspondent``) live in ``casework.services`` and are named here for the views.
"""

import enum
from typing import cast

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from casework import permissions, selectors, services
from casework.models import (
    Appointment,
    Beneficiary,
    BreachReport,
    Case,
    Delegation,
    Interview,
    PersonRequest,
    Programme,
    ProgrammeSession,
    Resource,
    SocialRequest,
)

# The role predicates, re-exported so that casework's views read everything from this module.
from partners.access import access_as_pair_member as access_as_pair_member
from partners.access import in_pair as in_pair
from partners.access import is_admin as is_admin
from partners.access import is_advisor as is_advisor
from partners.access import is_auditor as is_auditor
from partners.access import is_social_worker as is_social_worker
from partners.access import is_supervisor as is_supervisor
from partners.access import professional as professional
from partners.access import require as require
from partners.enums import PAIR_ROLES, Role
from partners.models import Pair, Professional
from partners.selectors import pairs_of_professional


def sees_programme_figures(user: Professional) -> bool:
    """Enrolment, fill and attendance rates of the collective actions (counts below 5 hidden)."""
    return is_supervisor(user) or is_admin(user)


def may_print_case_journal(user: Professional) -> bool:
    """The journal handed to the person: printed by the binôme or the DPO."""
    return in_pair(user) or is_auditor(user)


def may_read_social_requests(user: Professional) -> bool:
    """Advisors (who ask) and social correspondents (who answer)."""
    return is_advisor(user) or user.is_social_correspondent


def may_organise_delegations(user: Professional) -> bool:
    """The remplacements page: the binôme, supervisors and administrators of an organisation."""
    return (
        in_pair(user) or is_supervisor(user) or is_admin(user)
    ) and user.organisation is not None


def access_as_department_member(request: HttpRequest) -> Professional:
    """Any professional of a department (the territory's offer, collective actions)."""
    user = professional(request)
    require(user.organisation is not None)
    return user


def access_as_admin(request: HttpRequest) -> Professional:
    user = professional(request)
    require(is_admin(user) and user.organisation is not None)
    return user


def access_as_auditor(request: HttpRequest) -> Professional:
    user = professional(request)
    require(is_auditor(user) and user.organisation is not None)
    return user


def access_as_requester(request: HttpRequest) -> Professional:
    """An advisor of a department, who may ask the social correspondents (axis 1)."""
    user = professional(request)
    require(is_advisor(user) and user.organisation is not None)
    return user


def access_as_request_reader(request: HttpRequest) -> Professional:
    user = professional(request)
    require(may_read_social_requests(user))
    return user


def access_as_delegation_organiser(request: HttpRequest) -> Professional:
    user = professional(request)
    require(may_organise_delegations(user))
    return user


# Cases ------------------------------------------------------------------------------------------


class Need(enum.StrEnum):
    """What a case page needs of its viewer, beyond seeing the case (``visible_to``)."""

    #: The case page: each viewer sees there what the matrix gives their role.
    READ = "read"
    #: The binôme and its remplaçant·es (``change_case``): interviews, notes, appointments,
    #: agreements, the person's rights, enrolments, milestones.
    FOLLOW = "follow"
    #: The social side of the binôme (``view_social_notes``): social notes, the accord de partage.
    SOCIAL = "social"
    #: The référent·e among the binôme: the signalement de manquement.
    REFERENT = "referent"
    #: The case journal: the binôme, the supervisor of the subtree, the admin, the auditor.
    JOURNAL = "journal"
    #: The journal printed for the person: the binôme and the auditor.
    JOURNAL_PRINT = "journal_print"
    #: The letter announcing a new référent·e: the admin and the binôme.
    HANDOVER_LETTER = "handover_letter"


#: Roles checked before the case is even loaded.
_ROLES_OF_NEED: dict[Need, tuple[str, ...]] = {
    Need.JOURNAL_PRINT: (*PAIR_ROLES, Role.AUDITOR),
    Need.HANDOVER_LETTER: (Role.ADMIN, *PAIR_ROLES),
}


def access_case(user: Professional, pk: int, *, need: Need = Need.READ) -> Case:
    """The case ``pk`` if ``user`` may open it for ``need``; Http404 otherwise."""
    roles = _ROLES_OF_NEED.get(need)
    require(roles is None or user.role in roles)
    try:
        case = selectors.case_for(user, pk)
    except Case.DoesNotExist as missing:
        raise Http404 from missing
    require(_meets(user, case, need))
    return case


def _meets(user: Professional, case: Case, need: Need) -> bool:
    if need == Need.READ:
        return True
    if need in (Need.JOURNAL, Need.JOURNAL_PRINT, Need.HANDOVER_LETTER):
        return may_read_case_journal(user, case)
    if not may_follow_case(user, case):
        return False
    if need == Need.SOCIAL:
        return may_read_social_notes(user, case)
    if need == Need.REFERENT:
        return is_referent(user, case)
    return True


def may_follow_case(user: Professional, case: Case) -> bool:
    """A member of the case's binôme, or their remplaçant·e: logs interviews, writes notes, plans
    appointments (``change_case``, evaluated with the remplacements' dates). What it read says
    too through which remplacement, if any (``remplacement_in_use``)."""
    if not in_pair(user) or not user.is_active:
        return False
    grants = permissions.change_grants(user, case)
    delegation = next((pk for pk in grants if pk is not None), None)
    case.__dict__[_REMPLACEMENT_IN_USE] = (user.pk, delegation)
    return bool(grants)


_REMPLACEMENT_IN_USE = "_remplacement_in_use"


def remplacement_in_use(user: Professional, case: Case) -> int | None:
    """The id of the remplacement in force through which ``user`` follows ``case``, if any: a
    page they open that way is journaled (``journal_events.case_page_viewed``). From
    ``may_follow_case``'s answer on this case when it was asked, else asked now."""
    remembered = case.__dict__.get(_REMPLACEMENT_IN_USE)
    if remembered is None or remembered[0] != user.pk:
        may_follow_case(user, case)
        remembered = case.__dict__.get(_REMPLACEMENT_IN_USE, (user.pk, None))
    return cast("int | None", remembered[1])


def may_read_social_notes(user: Professional, case: Case) -> bool:
    """The social workers of the case (or their remplaçant·e): professional secrecy."""
    return permissions.can_read_social_notes(user, case)


def may_read_case_journal(user: Professional, case: Case) -> bool:
    """Among those who see the case, the binôme members only if they follow it."""
    return not in_pair(user) or permissions.can_change_case(user, case)


def names_secret_categories(user: Professional, case: Case) -> bool:
    """The case's journal names the social side's categories (« Difficultés : santé ») to its
    social workers (or their remplaçant·e) only; everyone else reads « Éléments du côté social »
    where nothing crossed under the accord de partage."""
    return may_read_social_notes(user, case)


def is_referent(user: Professional, case: Case) -> bool:
    return user.pk == case.referent_id


def may_hand_over_case(user: Professional, case: Case) -> bool:
    """The administrator hands an open case to another binôme of the department."""
    return is_admin(user) and case.is_open


def access_appointment(case: Case, appointment_pk: int) -> Appointment:
    return get_object_or_404(
        Appointment.objects.filter(pk=appointment_pk, case=case).select_related(
            "with_whom__organisation"
        )
    )


def access_breach_report(case: Case, report_pk: int) -> BreachReport:
    """One of the case's signalements de manquement (404 for any other)."""
    return get_object_or_404(
        case.breach_reports.select_related(
            "reported_by", "transmitted_by", "decision_recorded_by", "remobilised_by"
        ),
        pk=report_pk,
    )


def may_record_breach_decision(user: Professional, case: Case) -> bool:
    """The authority's decision on a signalement: the binôme (or a remplaçant·e) records it."""
    return may_follow_case(user, case)


def access_interview(case: Case, interview_pk: int) -> Interview:
    return get_object_or_404(Interview.objects.filter(case=case, pk=interview_pk))


def access_pair(user: Professional, pair_pk: int) -> Pair:
    """One of the user's binômes, with its members, for a point binôme: a suivi social seul has
    no co-accompagnant·e to hold one with (404)."""
    return get_object_or_404(pairs_of_professional(user).filter(pk=pair_pk, advisor__isnull=False))


# Axis 1: one-off social requests ----------------------------------------------------------------


def access_social_request(user: Professional, pk: int) -> SocialRequest:
    """A request the user may open (``SocialRequest.objects.visible_to``)."""
    try:
        return selectors.social_request_for(user, pk)
    except SocialRequest.DoesNotExist as missing:
        raise Http404 from missing


def access_earlier_request(user: Professional, pk: int) -> SocialRequest:
    """One of the advisor's own requests, to ask again about the same person."""
    return get_object_or_404(
        SocialRequest.objects.filter(requester=user, pk=pk).select_related(
            "beneficiary", "territory"
        )
    )


def may_answer_social_request(user: Professional, social_request: SocialRequest) -> bool:
    """A social correspondent of the request's territory."""
    return services.is_territory_correspondent(user, social_request)


def is_requester(user: Professional, social_request: SocialRequest) -> bool:
    return user.pk == social_request.requester_id


# The territory: offer, collective actions, remplacements ----------------------------------------


def access_resource(user: Professional, pk: int) -> Resource:
    return get_object_or_404(
        Resource.objects.of_department(user.organisation.department_id).filter(pk=pk)  # type: ignore[union-attr]
    )


def access_programme(user: Professional, pk: int) -> Programme:
    """A collective action of the user's department."""
    return get_object_or_404(
        Programme.objects.filter(
            pk=pk,
            department_id=user.organisation.department_id,  # type: ignore[union-attr]
        ).select_related("organiser")
    )


def access_session(programme: Programme, session_pk: int) -> ProgrammeSession:
    return get_object_or_404(ProgrammeSession.objects.filter(pk=session_pk, programme=programme))


def may_take_attendance(user: Professional, programme: Programme) -> bool:
    """The organiser's professionals (its subtree) and the department's administrator."""
    return services.can_take_attendance(user, programme)


def access_delegation(user: Professional, pk: int) -> Delegation:
    """A remplacement of someone the user may replace (to end it)."""
    return get_object_or_404(
        Delegation.objects.filter(
            pk=pk, replaced__in=selectors.replaceable_by(user).values("pk")
        ).select_related("replaced__organisation")
    )


# The DPO ----------------------------------------------------------------------------------------


def access_person(user: Professional, pk: int) -> Beneficiary:
    """A person of the DPO's department, archived files included."""
    return get_object_or_404(
        Beneficiary.objects.filter(
            pk=pk,
            department_id=user.organisation.department_id,  # type: ignore[union-attr]
        )
    )


def access_person_request(user: Professional, pk: int) -> PersonRequest:
    return get_object_or_404(PersonRequest.objects.for_dpo(user).filter(pk=pk))
