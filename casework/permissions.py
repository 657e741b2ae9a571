"""Object permissions on cases (django-guardian, direct foreign-key tables).

Grants mirror the current pair exactly: the advisor gets view_case and change_case, the social
worker also view_social_notes. They change only through the services (case opened, case
reassigned), which call the helpers here; this is the only module of casework that calls guardian.
"""

from guardian.shortcuts import assign_perm, remove_perm

from casework.models import Case, CaseUserObjectPermission
from partners.enums import Role
from partners.models import Pair, Professional

VIEW_CASE = "view_case"
CHANGE_CASE = "change_case"
VIEW_SOCIAL_NOTES = "view_social_notes"

GRANTS_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.ADVISOR: (VIEW_CASE, CHANGE_CASE),
    Role.SOCIAL_WORKER: (VIEW_CASE, CHANGE_CASE, VIEW_SOCIAL_NOTES),
}


def pair_grants(pair: Pair) -> set[tuple[int, str]]:
    """The (professional id, codename) grants a case followed by ``pair`` must carry."""
    return {
        (member.pk, codename)
        for member in (pair.advisor, pair.social_worker)
        for codename in GRANTS_BY_ROLE[member.role]
    }


def case_grants(case: Case) -> set[tuple[int, str]]:
    """The grants a case carries now."""
    return set(
        CaseUserObjectPermission.objects.filter(content_object=case).values_list(
            "user_id", "permission__codename"
        )
    )


def grant_pair(case: Case, pair: Pair) -> None:
    for member in (pair.advisor, pair.social_worker):
        for codename in GRANTS_BY_ROLE[member.role]:
            assign_perm(codename, member, case)


def revoke_pair(case: Case, pair: Pair) -> None:
    for member in (pair.advisor, pair.social_worker):
        for codename in GRANTS_BY_ROLE[member.role]:
            remove_perm(codename, member, case)


def _granted(user: Professional, case: Case, codename: str) -> bool:
    return CaseUserObjectPermission.objects.filter(
        user=user, content_object=case, permission__codename=codename
    ).exists()


def can_change_case(user: Professional, case: Case) -> bool:
    return user.is_active and _granted(user, case, CHANGE_CASE)


def can_read_social_notes(user: Professional, case: Case) -> bool:
    """Only the social workers of the case (professional secrecy)."""
    return (
        user.is_active
        and user.role == Role.SOCIAL_WORKER
        and _granted(user, case, VIEW_SOCIAL_NOTES)
    )
