"""The canary of the partner API: the world of the access matrix (tests/world.py), with its
SECRET- tokens (social notes, social details, difficulties the accord does not cover), its
SHARED- token (the social summary the accord covers) and its one-off request, plus tokens planted
in what the binôme alone reads (interview summaries, notes, the plan's actions). Every API route
is called by a partner system of each scope (and of none), and by another department's: no token
ever appears in an answer; the other department's system gets the same 404 for every case id.
"""

import datetime
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver
from django.utils import timezone

from casework.enums import JournalChannel
from casework.models import Case, InformationShare
from orientation import services as orientation_services
from partners.api.models import Scope
from tests.casework.factories import InterviewFactory, NoteFactory
from tests.partners.api import api_client, make_partner
from tests.partners.factories import DepartmentFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db

#: Every route of the API this crawl calls: a new one fails ``test_every_api_route_is_crawled``
#: until it is crawled here too.
CRAWLED_ROUTES = {
    "api_schema",
    "api_cases",
    "api_case",
    "api_appointment",
    "api_appointment_cancel",
    "api_appointment_outcome",
    "api_orientation_decisions",
}


def api_route_names(patterns: list[Any] | None = None, prefix: str = "") -> set[str]:
    """The names of the URLs under api/."""
    names: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            names |= api_route_names(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            names.add(str(pattern.name))
    return names


def test_every_api_route_is_crawled():
    assert api_route_names() == CRAWLED_ROUTES


def crawl(client: Client, case_ids: list[int]) -> list[Any]:
    """The schema, every page of the list (one case a page) and every case's detail."""
    responses = [client.get("/api/v1/schema/", {"format": "json"})]
    page = client.get("/api/v1/cases/", {"page_size": 1})
    responses.append(page)
    while page.status_code == 200 and page.json()["next"]:
        page = client.get(page.json()["next"])
        responses.append(page)
    responses += [client.get(f"/api/v1/cases/{pk}/") for pk in case_ids]
    return responses


def crawl_writes(client: Client, case_ids: list[int]) -> list[Any]:
    """appointments:write on every case: convene, record an outcome (refused: not yet held),
    cancel."""
    when = (timezone.now() + datetime.timedelta(days=7)).isoformat()
    responses = []
    for pk in case_ids:
        base = f"/api/v1/cases/{pk}/appointments/canari-{pk}/"
        responses += [
            client.put(
                base,
                json.dumps({"planned_at": when, "place": "Agence"}),
                content_type="application/json",
            ),
            client.post(f"{base}outcome/", {"outcome": "held"}, content_type="application/json"),
            client.post(f"{base}cancel/", content_type="application/json"),
        ]
    return responses


def crawl_decisions(client: Client, case_ids: list[int]) -> list[Any]:
    """orientation:write on every case: an orientation decision on the national criteria."""
    decided_on = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    return [
        client.post(
            f"/api/v1/cases/{pk}/orientation-decisions/",
            json.dumps(
                {
                    "partner_ref": f"canari-{pk}",
                    "path": "emploi",
                    "decided_on": decided_on,
                    "reasons": "Critères nationaux.",
                }
            ),
            content_type="application/json",
        )
        for pk in case_ids
    ]


def _without_request(response) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {k: v for k, v in response.json().items() if k not in ("request_id", "instance")}


def test_no_secret_or_shared_token_in_any_api_answer_for_any_partner_or_scope():
    world = build_world()
    case, pair = world.case, world.pair
    planted = [f"SHARED-{uuid.uuid4()}" for _ in range(3)]
    InterviewFactory(case=case, summary=f"Entretien tripartite, {planted[0]}")
    NoteFactory(case=case, text=f"Note du binôme, {planted[1]}")
    orientation_services.action_add(
        case=case, acting_user=pair.advisor, title=f"Dossier FSL, {planted[2]}", owner="person"
    )
    tokens = world.secrets + world.shared + world.request_content + planted
    department = pair.department
    partners = {
        "world": world.objects["partner_key"].secret,
        **{
            scope: make_partner(department, name=f"Système {scope}", scopes=[scope])[1]
            for scope in Scope.values
        },
        "none": make_partner(department, name="Sans portée", scopes=[])[1],
        "other_department": make_partner(
            DepartmentFactory(), name="Ailleurs", scopes=list(Scope.values)
        )[1],
    }
    case_ids = sorted(Case.objects.values_list("pk", flat=True))
    missing = case_ids[-1] + 1000

    answers = {
        name: crawl(api_client(secret), [*case_ids, missing]) for name, secret in partners.items()
    }

    writes = {
        name: crawl_writes(api_client(secret), [*case_ids, missing])
        for name, secret in partners.items()
    }

    decisions = {
        name: crawl_decisions(api_client(secret), [*case_ids, missing])
        for name, secret in partners.items()
    }

    leaks = sorted(
        (name, response.wsgi_request.get_full_path(), token)
        for name, responses in [*answers.items(), *writes.items(), *decisions.items()]
        for response in responses
        for token in tokens
        if token in response.content.decode()
    )
    assert leaks == []
    # The check can fail: the tokens are in the world's case, which followup:read reads.
    world_case = answers["world"][-len(case_ids) - 1 + case_ids.index(case.pk)]
    assert (world_case.status_code, world_case.json()["id"]) == (200, case.pk)
    # Without followup:read, every case route is the scope's refusal.
    for name in ("none", Scope.APPOINTMENTS_WRITE, Scope.ORIENTATION_WRITE):
        assert {r.json()["code"] for r in answers[name][1:]} == {"portee-absente"}
    # Another department's system: an empty list, and for every case id of the world the same
    # 404 as for a missing one.
    other = answers["other_department"]
    assert other[1].json()["results"] == []
    details = other[-len(case_ids) - 1 :]
    assert {r.status_code for r in details} == {404}
    assert all(_without_request(r) == _without_request(details[-1]) for r in details)
    # Every answer that carried a case wrote one journal row per case, tied by its request id.
    for response in answers["world"][1:]:
        carried = response.json().get("results", [response.json()])
        rows = InformationShare.objects.filter(
            channel=JournalChannel.API, request_id=response["X-Request-ID"]
        ).values_list("case_id", flat=True)
        assert sorted(rows) == sorted(row["id"] for row in carried if "id" in row)
    # appointments:write: the world's case was convened (201) then cancelled; without the
    # scope, the scope's refusal; another department's system, the same 404 for every case id.
    written = writes[Scope.APPOINTMENTS_WRITE]
    at = case_ids.index(case.pk) * 3
    assert [r.status_code for r in written[at : at + 3]] == [201, 400, 200]
    assert {r.json()["code"] for r in writes["none"]} == {"portee-absente"}
    assert {r.json()["code"] for r in writes[Scope.FOLLOWUP_READ]} == {"portee-absente"}
    assert {r.status_code for r in writes["other_department"]} == {404}
    assert all(
        _without_request(r) == _without_request(writes["other_department"][-1])
        for r in writes["other_department"]
    )
    # orientation:write: the world's case was decided (201); without the scope, the scope's
    # refusal; another department's system, the same 404 for every case id.
    decided = decisions[Scope.ORIENTATION_WRITE]
    assert decided[case_ids.index(case.pk)].status_code == 201
    assert decided[-1].json()["code"] == "introuvable"
    for name in ("none", Scope.FOLLOWUP_READ, Scope.APPOINTMENTS_WRITE):
        assert {r.json()["code"] for r in decisions[name]} == {"portee-absente"}
    assert {r.status_code for r in decisions["other_department"]} == {404}
    assert all(
        _without_request(r) == _without_request(decisions["other_department"][-1])
        for r in decisions["other_department"]
    )
