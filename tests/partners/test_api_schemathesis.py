"""schemathesis runs every operation of the partner API's OpenAPI description against the app
(its WSGI application, in-process, on the test database), with a valid key of a partner system
holding every scope, over data that has every kind of content: no server error, and every
response conforms to the schema (status, content type, body).

``HYPOTHESIS_PROFILE=ci`` runs more examples per operation.
"""

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from casework.enums import CaseState
from config.wsgi import application
from partners.api.models import Scope
from tests.casework.factories import CaseFactory, InterviewFactory, SocialNoteFactory
from tests.partners.api import make_partner
from tests.partners.factories import PairFactory

pytestmark = pytest.mark.django_db

EXAMPLES = 60 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 15
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


# Loaded when the module is collected, from the app itself (the description reads no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture(autouse=True)
def connection_kept_between_requests() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request (``request_started``
    and ``request_finished``); the test's transaction lives on it. Django's test client keeps it
    the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def key(db) -> str:  # type: ignore[no-untyped-def]
    """A key with every scope and a high rate, over cases with appointments and secrets."""
    pair = PairFactory()
    for state in (CaseState.ACTIVE, CaseState.PROPOSED, CaseState.SUSPENDED):
        case = CaseFactory(pair=pair, state=state)
        InterviewFactory(case=case)
        SocialNoteFactory(case=case)
    _partner, secret = make_partner(
        pair.department, scopes=list(Scope.values), requests_per_minute=100_000
    )
    return secret


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_openapi_description(case, key):
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)
