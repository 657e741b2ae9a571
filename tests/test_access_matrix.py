"""Every URL × every role: the status each role gets. Every issue that adds a URL extends MATRIX.

A URL of ours missing from MATRIX fails ``test_matrix_covers_every_url``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partners.enums import Role
from tests.partners.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
INACTIVE = "inactive"
ROLES = [ANONYMOUS, INACTIVE, *Role.values]


@dataclass(frozen=True)
class Row:
    name: str
    expected: dict[str, int]  # role → status
    method: str = "get"
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda objects: {})


def everyone(status: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, status) for role in ROLES}


REDIRECT = 302
OK = 200
ADMIN_ONLY = everyone(REDIRECT, admin=OK)

MATRIX = [
    Row("home", everyone(OK, anonymous=REDIRECT, inactive=REDIRECT)),
    Row("login", everyone(REDIRECT, anonymous=OK, inactive=OK)),
    Row("logout", everyone(REDIRECT), method="post"),
    # The functional administration: only the admin role, never the others.
    Row("admin:index", ADMIN_ONLY),
    Row("admin:partners_pair_changelist", ADMIN_ONLY),
    Row("admin:partners_pair_add", ADMIN_ONLY),
    Row("admin:partners_professional_changelist", ADMIN_ONLY),
    Row("admin:partners_organisation_changelist", ADMIN_ONLY),
    Row("admin:partners_department_changelist", ADMIN_ONLY),
    Row(
        "admin:partners_pair_change",
        ADMIN_ONLY,
        kwargs=lambda objects: {"object_id": objects["pair"].pk},
    ),
]

#: URL namespaces not listed one by one (the admin's own pages are covered by the rows above).
UNLISTED_NAMESPACES = {"admin"}


def _names(patterns: list[Any], namespace: str | None = None) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and namespace is None:
            names.add(pattern.name)
    return names


def test_matrix_covers_every_url():
    listed = {row.name for row in MATRIX if ":" not in row.name}
    assert _names(get_resolver().url_patterns) == listed


@pytest.fixture
def clients(pair) -> dict[str, Client]:  # type: ignore[no-untyped-def]
    department = pair.department
    professionals = {
        Role.ADVISOR: pair.advisor,
        Role.SOCIAL_WORKER: pair.social_worker,
        Role.SUPERVISOR: ProfessionalFactory(
            role=Role.SUPERVISOR, organisation=pair.advisor.organisation
        ),
        Role.ADMIN: ProfessionalFactory(role=Role.ADMIN, organisation__department=department),
        Role.AUDITOR: ProfessionalFactory(role=Role.AUDITOR, organisation__department=department),
        INACTIVE: ProfessionalFactory(
            role=Role.ADVISOR, organisation__department=department, is_active=False
        ),
    }
    result = {ANONYMOUS: Client()}
    for role, professional in professionals.items():
        client = Client()
        client.force_login(professional)
        result[role] = client
    return result


@pytest.mark.parametrize("row", MATRIX, ids=[row.name for row in MATRIX])
def test_access_matrix(row, clients, pair):
    url = reverse(row.name, kwargs=row.kwargs({"pair": pair}))

    statuses = {role: getattr(clients[role], row.method)(url).status_code for role in ROLES}

    assert statuses == row.expected
