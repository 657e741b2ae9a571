"""Object permissions on cases (django-guardian, direct foreign-key tables).

Grants mirror the current pair and the pending remplacements exactly: the advisor gets view_case
and change_case, the social worker also view_social_notes (a suivi social seul has no advisor: the
social worker alone is granted); a delegate gets the grants of the
professional they replace, on the cases of the delegation, in rows that point to the delegation.
They change only through the services (case opened, case reassigned, delegation given, revoked or
expired), which call the helpers here; this is the only module of casework that calls guardian or
writes CaseUserObjectPermission rows.

Every check goes through ``live_grant()``: a delegation outside its dates grants nothing, even
while its rows still exist (the nightly task deletes them after the end date).
"""

import datetime

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from guardian.shortcuts import remove_perm

from casework.models import Case, CaseUserObjectPermission, Delegation, live_grant
from partners.access import is_social_worker
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
        (member.pk, codename) for member in pair.members for codename in GRANTS_BY_ROLE[member.role]
    }


def case_grants(case: Case) -> set[tuple[int, str]]:
    """The grants a case carries now (pair and delegations, live or not)."""
    return set(
        CaseUserObjectPermission.objects.filter(content_object=case).values_list(
            "user_id", "permission__codename"
        )
    )


def _permissions() -> dict[str, Permission]:
    content_type = ContentType.objects.get_for_model(Case)
    return {
        p.codename: p
        for p in Permission.objects.filter(
            content_type=content_type, codename__in=GRANTS_BY_ROLE[Role.SOCIAL_WORKER]
        )
    }


def grant_pair(case: Case, pair: Pair) -> None:
    """The pair's grants; a row a delegation had given to a member becomes the pair's own."""
    perms = _permissions()
    for member in pair.members:
        for codename in GRANTS_BY_ROLE[member.role]:
            row, created = CaseUserObjectPermission.objects.get_or_create(
                user=member, permission=perms[codename], content_object=case
            )
            if not created and row.delegation_id is not None:
                row.delegation = None
                row.save(update_fields=["delegation"])


def revoke_pair(case: Case, pair: Pair) -> None:
    for member in pair.members:
        for codename in GRANTS_BY_ROLE[member.role]:
            remove_perm(codename, member, case)


def delegation_applies(delegation: Delegation, case: Case) -> bool:
    """A delegation gives grants on a case of its list while the replaced professional follows
    it (a case handed over to another binôme leaves the remplacement)."""
    return delegation.replaced_id in (case.pair.advisor_id, case.pair.social_worker_id)


def grant_delegation(delegation: Delegation, cases: list[Case]) -> list[Case]:
    """The replaced professional's grants, to the delegate, on ``cases``; the cases granted."""
    perms = _permissions()
    granted = []
    for case in cases:
        if not delegation_applies(delegation, case):
            continue
        for codename in GRANTS_BY_ROLE[delegation.replaced.role]:
            CaseUserObjectPermission.objects.get_or_create(
                user=delegation.delegate,
                permission=perms[codename],
                content_object=case,
                defaults={"delegation": delegation},
            )
        granted.append(case)
    return granted


def revoke_delegation(delegation: Delegation, case: Case | None = None) -> list[int]:
    """Delete the delegation's rows (on one case, or all); the ids of the cases concerned."""
    rows = CaseUserObjectPermission.objects.filter(delegation=delegation)
    if case is not None:
        rows = rows.filter(content_object=case)
    case_ids = sorted(set(rows.values_list("content_object_id", flat=True)))
    rows.delete()
    return case_ids


def sync_delegations(case: Case) -> None:
    """After a handover: the pending delegations of the case's list follow the rule again."""
    pending = Delegation.objects.pending().filter(cases=case).select_related("replaced", "delegate")
    for delegation in pending.order_by("pk"):
        if delegation_applies(delegation, case):
            grant_delegation(delegation, [case])
        else:
            revoke_delegation(delegation, case)


def _granted(user: Professional, case: Case, codename: str) -> bool:
    return (
        CaseUserObjectPermission.objects.filter(
            user=user, content_object=case, permission__codename=codename
        )
        .filter(live_grant())
        .exists()
    )


def can_change_case(user: Professional, case: Case) -> bool:
    return user.is_active and _granted(user, case, CHANGE_CASE)


def change_grants(user: Professional, case: Case) -> list[int | None]:
    """The grants in force through which ``user`` may change ``case``: the id of each
    remplacement that gives one, ``None`` for the binôme's own; empty if none."""
    return list(
        CaseUserObjectPermission.objects.filter(
            user=user, content_object=case, permission__codename=CHANGE_CASE
        )
        .filter(live_grant())
        .values_list("delegation_id", flat=True)
    )


def can_read_social_notes(user: Professional, case: Case) -> bool:
    """Only the social workers of the case, or their remplaçant·e (professional secrecy)."""
    return user.is_active and is_social_worker(user) and _granted(user, case, VIEW_SOCIAL_NOTES)


def replaces_referent(user: Professional, case: Case, today: datetime.date | None = None) -> bool:
    """Whether ``user`` follows ``case`` through a live remplacement of its référent·e (one
    query)."""
    return (
        CaseUserObjectPermission.objects.filter(
            user=user,
            content_object=case,
            permission__codename=VIEW_CASE,
            delegation__replaced_id=case.referent_id,
        )
        .filter(live_grant(today))
        .exists()
    )
