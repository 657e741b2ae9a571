"""What a signed-in professional is, read in one place: the role predicates.

Every app's access module (``casework.access``, ``orientation.access``) and the templates' flags
(``partners.context_processors.binome_roles``) read the role through these functions, never by
comparing ``user.role`` with a string. Adding a role: the ``Role`` enum, a predicate here, the
rules that use it in the apps' access modules, the access matrix's viewers and docs/roles.md.
"""

from typing import cast

from django.http import Http404, HttpRequest

from partners.enums import PAIR_ROLES, Role
from partners.models import Professional


def professional(request: HttpRequest) -> Professional:
    """The signed-in professional (``login_required`` runs first)."""
    return cast(Professional, request.user)


def require(allowed: bool) -> None:
    """A refused check answers the same 404 as a missing object."""
    if not allowed:
        raise Http404


def in_pair(user: Professional) -> bool:
    """Advisors and social workers: the professionals who follow people in a binôme."""
    return user.role in PAIR_ROLES


def is_advisor(user: Professional) -> bool:
    return user.role == Role.ADVISOR


def is_social_worker(user: Professional) -> bool:
    return user.role == Role.SOCIAL_WORKER


def is_supervisor(user: Professional) -> bool:
    return user.role == Role.SUPERVISOR


def is_admin(user: Professional) -> bool:
    """The functional administrator (changements de binôme, the territory's offer)."""
    return user.role == Role.ADMIN


def is_auditor(user: Professional) -> bool:
    """The DPO / auditor (the department's journal, the people's rights, disposals)."""
    return user.role == Role.AUDITOR


def access_as_pair_member(request: HttpRequest) -> Professional:
    user = professional(request)
    require(in_pair(user))
    return user
