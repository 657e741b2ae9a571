"""Who may open what in the orientation pages, in one place, built on ``casework.access``.

Every orientation view asks this module before it reads anything:

- Cases are loaded through ``casework.access.access_case`` (``Case.objects.visible_to(user)``),
  then checked for what the page needs: ``access_case_as_member`` (the binôme and its
  remplaçant·es, ``change_case``: every write), ``access_case_for_diagnostic`` (the members, or
  the supervisor for the state only), ``access_case_as_reader`` (préconisations, decisions and the
  plan: the members, the supervisor, the admin, the auditor)…
- Objects inside a case come from a queryset scoped to it (``access_recommendation(case, pk)``,
  ``access_action``…); a difficulty (obstacle) only from what the viewer's ``DiagnosticView``
  shows (``access_shown_obstacle``), the filtered view the diagnostic page uses.
- "No such object" and "not yours" are the same ``Http404``, as in ``casework.access``.
- Predicates say what a page shows to whom (``sees_diagnostic_state_only``,
  ``signs_as_advisor``, ``may_validate_recommendations``); the views compare no role themselves.
  ``professional``, ``in_pair``, ``is_referent`` and ``access_as_pair_member`` are casework's,
  named here so that the views ask one module.
"""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from casework import access as case_access
from casework.access import access_as_pair_member as access_as_pair_member
from casework.access import in_pair as in_pair
from casework.access import is_referent as is_referent
from casework.access import professional as professional
from casework.access import require
from casework.models import Case
from orientation import selectors
from orientation.models import Action, Diagnostic, Obstacle, OrientationDecision, Recommendation
from orientation.selectors import DiagnosticView
from partners.models import Professional

# What a page shows to whom -----------------------------------------------------------------------


def sees_diagnostic_state_only(user: Professional) -> bool:
    """The supervisor follows where the diagnostic stands, never what it says."""
    return case_access.is_supervisor(user)


def signs_as_advisor(user: Professional) -> bool:
    """A diagnostic and a préconisation carry two signatures, the advisor's side and the social
    worker's: which one is the user's (a remplaçant·e signs on the side they replace)."""
    return case_access.is_advisor(user)


def may_validate_recommendations(user: Professional) -> bool:
    """The supervisor validates (or sends back) the préconisations, when the department asks."""
    return case_access.is_supervisor(user)


def may_read_orientation(user: Professional, case: Case) -> bool:
    """Among those who see the case, the binôme members only if they follow it (``change_case``);
    the supervisor, the admin and the auditor read the préconisations, decisions and plan: the
    same rule as the case journal's."""
    return case_access.may_read_case_journal(user, case)


# Pages for one role ------------------------------------------------------------------------------


def access_as_validator(request: HttpRequest) -> Professional:
    """« Préconisations à valider »."""
    user = professional(request)
    require(may_validate_recommendations(user))
    return user


def access_as_supervisor(request: HttpRequest) -> Professional:
    """The dashboard of a supervisor's organisation subtree, its lists and exports."""
    user = professional(request)
    require(case_access.is_supervisor(user) and user.organisation is not None)
    return user


# Cases -------------------------------------------------------------------------------------------


def access_case_as_member(user: Professional, pk: int) -> Case:
    """The case, for a member of its binôme or their remplaçant·e: every write of orientation."""
    return case_access.access_case(user, pk, need=case_access.Need.FOLLOW)


def access_case_for_social_details(user: Professional, pk: int) -> Case:
    """The case, for its social worker (or their remplaçant·e): the secret social details."""
    return case_access.access_case(user, pk, need=case_access.Need.SOCIAL)


def access_case_for_diagnostic(user: Professional, pk: int) -> Case:
    """The diagnostic page: the members, or the supervisor of the subtree (the state only)."""
    case = case_access.access_case(user, pk)
    require(case_access.may_follow_case(user, case) or sees_diagnostic_state_only(user))
    return case


def access_case_as_reader(user: Professional, pk: int) -> Case:
    """Préconisations, decisions and the plan d'action: the binôme, the supervisor, the admin and
    the auditor."""
    case = case_access.access_case(user, pk)
    require(may_read_orientation(user, case))
    return case


def access_case_for_validation(user: Professional, pk: int) -> Case:
    """The case whose préconisation the supervisor validates (role checked before loading)."""
    require(may_validate_recommendations(user))
    return access_case_as_reader(user, pk)


# Objects of a case -------------------------------------------------------------------------------


def access_diagnostic(case: Case) -> Diagnostic:
    """The case's current diagnostic (its last version); 404 before one is started."""
    diagnostic = selectors.current_diagnostic(case)
    if diagnostic is None:
        raise Http404
    return diagnostic


def access_shown_obstacle(view: DiagnosticView, obstacle_pk: int) -> Obstacle:
    """An obstacle the viewer's diagnostic shows: for the advisor, covered by the accord de
    partage and not disputed. Every verb on a difficulty (opinion, rectification, lifting) loads
    it here, never by case or by id: one the advisor cannot see is the same 404 as a missing one,
    for every verb, and nothing is written."""
    obstacle = next((o for o in view.obstacles if o.pk == obstacle_pk), None)
    if obstacle is None:  # not there, or not covered by the accord de partage
        raise Http404
    return obstacle


def access_recommendation(case: Case, rec_pk: int) -> Recommendation:
    return get_object_or_404(Recommendation.objects.filter(case=case, pk=rec_pk))


def access_decision(case: Case, decision_pk: int) -> OrientationDecision:
    return get_object_or_404(
        OrientationDecision.objects.filter(case=case, pk=decision_pk).select_related("recorded_by")
    )


def access_action(case: Case, action_pk: int) -> Action:
    """An action of the case's plan."""
    return get_object_or_404(Action.objects.filter(plan__case=case, pk=action_pk))
