"""The partner API's first slice: keys and their refusals, scopes, the department's cases only,
the follow-up's fields and nothing else, journal rows, rate limit, cursor pages, problem bodies."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework import services as case_services
from casework.enums import CaseState, JournalChannel
from casework.models import InformationShare
from casework.space.selectors import journal_line
from orientation import services as orientation_services
from partners.api import services as api_services
from partners.api.authentication import (
    PARTNER_INACTIVE,
    REPLACED_KEY,
    REVOKED_KEY,
    UNKNOWN_KEY,
)
from partners.api.models import PartnerKey, PartnerSystem, Scope
from partners.api.services import InvalidKey
from partners.enums import Role
from tests.casework.factories import (
    CaseFactory,
    InterviewFactory,
    NoteFactory,
    SocialNoteFactory,
)
from tests.partners.api import api_client, make_partner
from tests.partners.factories import PairFactory, ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
PROBLEM = "application/problem+json"


def case_url(pk: int) -> str:
    return f"/api/v1/cases/{pk}/"


@pytest.fixture
def pair():  # type: ignore[no-untyped-def]
    return PairFactory()


@pytest.fixture
def case(pair):  # type: ignore[no-untyped-def]
    return CaseFactory(pair=pair, state=CaseState.ACTIVE)


@pytest.fixture
def partner_and_key(pair):  # type: ignore[no-untyped-def]
    return make_partner(pair.department)


@pytest.fixture
def client(partner_and_key) -> Client:  # type: ignore[no-untyped-def]
    return api_client(partner_and_key[1])


def problem(response) -> tuple[int, str, str, str]:  # type: ignore[no-untyped-def]
    """(status, content type, code, detail) of a problem answer, after checking its shape."""
    body = response.json()
    assert body["status"] == response.status_code
    assert body["type"] == f"urn:binome:probleme:{body['code']}"
    assert body["request_id"] == response["X-Request-ID"]
    assert body["instance"] == response.wsgi_request.path
    return response.status_code, response["Content-Type"], body["code"], body["detail"]


# Keys ---------------------------------------------------------------------------------------


def test_api_without_key_is_refused_as_missing_key(case):
    response = Client().get(CASES)

    status, content_type, code, detail = problem(response)
    assert (status, content_type, code) == (401, PROBLEM, "cle-absente")
    assert detail.startswith("Envoyez la clé d'API du système partenaire")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_api_professional_session_is_refused_as_missing_key(case, login_client):
    response = login_client(case.pair.advisor).get(case_url(case.pk))

    assert problem(response)[:3] == (401, PROBLEM, "cle-absente")
    assert InformationShare.objects.filter(channel=JournalChannel.API).count() == 0


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer bnm_inconnu_secret", "Bearer n'importe-quoi", "Bearer a b"],
)
def test_api_unknown_or_malformed_key_is_refused(case, header):
    response = Client(headers={"Authorization": header}).get(CASES)

    assert problem(response) == (401, PROBLEM, "cle-inconnue", UNKNOWN_KEY)


def test_api_key_with_a_wrong_secret_is_refused(case, partner_and_key):
    _partner, secret = partner_and_key
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")

    response = api_client(forged).get(CASES)

    assert problem(response) == (401, PROBLEM, "cle-inconnue", UNKNOWN_KEY)


def test_api_expired_key_is_refused(case, pair):
    partner, _ = make_partner(pair.department, name="Logiciel du département")
    issued = api_services.partner_key_issue(
        partner=partner, acting_user=None, expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    client = api_client(issued.secret)
    before = client.get(CASES)

    with time_machine.travel(issued.key.expires_at + datetime.timedelta(seconds=1)):
        after = client.get(CASES)

    assert before.status_code == 200
    status, _content_type, code, detail = problem(after)
    assert (status, code) == (401, "cle-expiree")
    expiry = timezone.localtime(issued.key.expires_at).strftime("%d/%m/%Y à %H:%M")
    assert detail.startswith(f"Cette clé d'API a expiré le {expiry}.")


def test_api_revoked_key_is_refused(case, partner_and_key):
    partner, secret = partner_and_key
    key = PartnerKey.objects.get(partner=partner)

    api_services.partner_key_revoke(key=key, acting_user=None)

    assert problem(api_client(secret).get(CASES)) == (401, PROBLEM, "cle-revoquee", REVOKED_KEY)


def test_api_rotated_key_is_refused_and_its_successor_works(case, partner_and_key):
    partner, secret = partner_and_key
    key = PartnerKey.objects.get(partner=partner)

    issued = api_services.partner_key_rotate(key=key, acting_user=None)

    old = api_client(secret).get(CASES)
    new = api_client(issued.secret).get(CASES)
    assert problem(old) == (401, PROBLEM, "cle-remplacee", REPLACED_KEY)
    assert new.status_code == 200
    key.refresh_from_db()
    assert key.replaced_by == issued.key


def test_a_rotated_or_revoked_key_cannot_change_again(partner_and_key):
    key = PartnerKey.objects.get(partner=partner_and_key[0])
    api_services.partner_key_revoke(key=key, acting_user=None)

    with refused(InvalidKey, api_services.KEY_NOT_USABLE):
        api_services.partner_key_rotate(key=key, acting_user=None)


def test_api_key_of_a_deactivated_partner_is_refused(case, partner_and_key):
    partner, secret = partner_and_key

    api_services.partner_system_update(partner=partner, fields={"active": False}, acting_user=None)

    assert problem(api_client(secret).get(CASES)) == (
        401,
        PROBLEM,
        "partenaire-desactive",
        PARTNER_INACTIVE,
    )


def test_key_expiry_in_the_past_or_too_far_is_refused(partner_and_key):
    partner = partner_and_key[0]

    with refused(InvalidKey, api_services.KEY_EXPIRY_PAST):
        api_services.partner_key_issue(partner=partner, acting_user=None, expires_at=timezone.now())
    with refused(InvalidKey, api_services.KEY_EXPIRY_TOO_FAR):
        api_services.partner_key_issue(
            partner=partner,
            acting_user=None,
            expires_at=timezone.now() + datetime.timedelta(days=api_services.MAX_KEY_DAYS + 1),
        )


def test_key_is_stored_as_a_hash_and_never_audited(partner_and_key):
    partner, secret = partner_and_key
    key = PartnerKey.objects.get(partner=partner)

    audit = " ".join(
        f"{entry.changes} {entry.changes_text} {entry.object_repr} {entry.serialized_data}"
        for entry in LogEntry.objects.all()
    )
    assert secret.split("_", 2)[2] not in audit
    assert key.secret_hash not in audit
    assert key.secret_hash == api_services.hash_key(secret)
    assert secret.startswith(f"bnm_{key.prefix}_")
    # Issuing the key changed who may read the department's data: a journal row of rights.
    rights = (
        InformationShare.objects.filter(
            channel=JournalChannel.GRANT,
            object_type=api_services.PARTNER_OBJECT,
            object_id=str(partner.pk),
        )
        .order_by("pk")
        .values_list("purpose", flat=True)
    )  # the journal's own order
    assert list(rights) == [
        "Système partenaire enregistré, portées : followup:read",
        f"Clé d'API {key.prefix} délivrée",
    ]


# Scopes and scoping -------------------------------------------------------------------------


def test_api_without_the_followup_scope_is_refused(case, pair):
    _partner, secret = make_partner(
        pair.department, name="Agenda", scopes=[Scope.APPOINTMENTS_WRITE]
    )

    responses = [api_client(secret).get(url) for url in (CASES, case_url(case.pk))]

    assert [problem(response)[:3] for response in responses] == [
        (403, PROBLEM, "portee-absente")
    ] * 2
    assert responses[0].json()["detail"] == (
        "Ce système partenaire n'a pas la portée « followup:read » qu'exige cette opération."
    )
    assert InformationShare.objects.filter(channel=JournalChannel.API).count() == 0


def test_api_case_of_another_department_is_the_same_404_as_a_missing_one(case, pair):
    elsewhere = CaseFactory(state=CaseState.ACTIVE)  # another department's pair
    other_partner, other_secret = make_partner(elsewhere.pair.department, name="Autre")
    client = api_client(other_secret)

    foreign = client.get(case_url(case.pk))
    missing = client.get(case_url(case.pk + 1000))
    own = client.get(case_url(elsewhere.pk))
    listed = client.get(CASES).json()["results"]

    assert problem(foreign)[:3] == (404, PROBLEM, "introuvable")
    assert problem(foreign)[2:] == problem(missing)[2:]
    assert own.status_code == 200
    assert [row["id"] for row in listed] == [elsewhere.pk]
    # Nothing of the other department was journaled.
    assert list(
        InformationShare.objects.filter(channel=JournalChannel.API).values_list("case", flat=True)
    ) == [elsewhere.pk, elsewhere.pk]


def test_api_lists_the_departments_cases_but_no_refused_one(case, pair, client):
    refused_case = CaseFactory(
        pair=pair, beneficiary__department=pair.department, state=CaseState.REFUSED
    )

    listed = [row["id"] for row in client.get(CASES).json()["results"]]
    refused_answer = client.get(case_url(refused_case.pk))

    assert listed == [case.pk]
    assert refused_answer.status_code == 404


# What a partner reads -----------------------------------------------------------------------


def test_api_case_carries_the_followup_and_nothing_else(case, client, today):
    advisor, social_worker = case.pair.advisor, case.pair.social_worker
    appointment = case_services.appointment_plan(
        case=case,
        acting_user=advisor,
        planned_at=timezone.now() + datetime.timedelta(days=3),
        place="Agence du centre",
        with_whom=advisor,
    )
    orientation_services.plan_set_contract(
        case=case,
        acting_user=advisor,
        kind="contrat_engagement",
        reference="CE-2026-42",
        signed_on=today,
    )
    # Content a partner must never read, each with its own token.
    summary = InterviewFactory(case=case, summary="Entretien : TOKEN-INTERVIEW").summary
    note = NoteFactory(case=case, text="Note du binôme : TOKEN-NOTE").text
    social = SocialNoteFactory(case=case).text
    case.refresh_from_db()

    response = client.get(case_url(case.pk))

    body = response.json()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store, no-cache, private, max-age=0"
    assert body == {
        "id": case.pk,
        "state": "active",
        "orientation_path": None,
        "proposed_on": case.proposed_on.isoformat(),
        "started_on": case.started_on.isoformat(),
        "planned_end_on": case.planned_end_on.isoformat(),
        "closed_on": None,
        "referent": {
            "role": case.referent.role,
            "organisation": case.referent.organisation.name,
            "job_title": case.referent.job_title or case.referent.get_role_display(),
        },
        "co_accompagnant": {
            "role": case.co_accompagnant.role,
            "organisation": case.co_accompagnant.organisation.name,
            "job_title": case.co_accompagnant.job_title or case.co_accompagnant.get_role_display(),
        },
        "contract": {
            "kind": "contrat_engagement",
            "reference": "CE-2026-42",
            "signed_on": today.isoformat(),
        },
        "appointments": [
            {
                "id": appointment.pk,
                "planned_at": timezone.localtime(appointment.planned_at).isoformat(),
                "place": "Agence du centre",
                "cancelled": False,
            }
        ],
    }
    content = response.content.decode()
    for text in (summary, note, social, "TOKEN", "SECRET-"):
        assert text not in content
    for person in (advisor, social_worker, case.beneficiary):
        assert person.last_name not in content


def test_api_case_read_is_one_journal_row_naming_the_partner(case, client):
    response = client.get(case_url(case.pk))

    rows = list(InformationShare.objects.filter(channel=JournalChannel.API))
    assert [
        (
            row.case_id,
            row.beneficiary_id,
            row.actor_id,
            row.actor_job_title,
            row.actor_organisation,
            row.recipient,
            row.request_id,
            row.department_id,
        )
        for row in rows
    ] == [
        (
            case.pk,
            case.beneficiary_id,
            None,
            "rdv-insertion",
            "ANCT",
            "rdv-insertion (ANCT)",
            response["X-Request-ID"],
            case.pair.department_id,
        )
    ]
    assert rows[0].purpose == (
        "Lecture du suivi de l'accompagnement par un système partenaire (followup:read)"
    )


def test_api_list_page_is_one_journal_row_per_case_and_pages_by_cursor(pair, client):
    cases = [CaseFactory(pair=pair, state=CaseState.ACTIVE) for _ in range(3)]

    first = client.get(CASES, {"page_size": 2})
    second = client.get(first.json()["next"])

    assert [row["id"] for row in first.json()["results"]] == [c.pk for c in cases[:2]]
    assert [row["id"] for row in second.json()["results"]] == [cases[2].pk]
    assert second.json()["next"] is None
    journaled = InformationShare.objects.filter(channel=JournalChannel.API).order_by("seq")
    assert [(row.case_id, row.request_id) for row in journaled] == [
        (cases[0].pk, first["X-Request-ID"]),
        (cases[1].pk, first["X-Request-ID"]),
        (cases[2].pk, second["X-Request-ID"]),
    ]


def test_api_empty_page_writes_no_journal_row(pair, client):
    response = client.get(CASES)

    assert response.json() == {"next": None, "previous": None, "results": []}
    assert InformationShare.objects.filter(channel=JournalChannel.API).count() == 0


def test_api_invalid_cursor_is_a_400_problem(case, client):
    response = client.get(CASES, {"cursor": "pas-un-curseur"})

    assert problem(response)[:3] == (400, PROBLEM, "curseur-invalide")


def test_api_nul_character_in_the_query_is_a_400_problem(client):
    response = client.get(CASES + "?cursor=%00")

    assert problem(response)[:3] == (400, PROBLEM, "requete-invalide")


def test_api_unknown_path_is_a_404_problem(client):
    response = client.get("/api/v1/nulle-part/")

    assert problem(response)[:3] == (404, PROBLEM, "introuvable")


def test_api_rate_limit_is_per_partner(case, pair):
    _slow, slow_secret = make_partner(pair.department, name="Lent", requests_per_minute=2)
    _other, other_secret = make_partner(pair.department, name="Autre", requests_per_minute=2)
    slow = api_client(slow_secret)

    statuses = [slow.get(CASES).status_code for _ in range(3)]
    limited = slow.get(CASES)
    other = api_client(other_secret).get(CASES)

    assert statuses == [200, 200, 429]
    status, _content_type, code, detail = problem(limited)
    assert (status, code) == (429, "trop-de-requetes")
    assert detail.startswith("Ce système partenaire a dépassé sa limite de requêtes par minute.")
    assert 0 < int(limited["Retry-After"]) <= 60
    assert other.status_code == 200


def test_api_request_id_comes_back_in_header_and_body(client):
    response = client.get("/api/v1/cases/0/", headers={"X-Request-ID": "appel-42"})

    assert response["X-Request-ID"] == "appel-42"
    assert response.json()["request_id"] == "appel-42"


def test_api_schema_is_openapi_3_with_every_operation():
    response = Client().get(reverse("api_schema"), {"format": "json"})

    schema = response.json()
    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    assert sorted(schema["paths"]) == [
        "/api/v1/cases/",
        "/api/v1/cases/{case_id}/appointments/{partner_ref}/",
        "/api/v1/cases/{case_id}/appointments/{partner_ref}/cancel/",
        "/api/v1/cases/{case_id}/appointments/{partner_ref}/outcome/",
        "/api/v1/cases/{case_id}/orientation-decisions/",
        "/api/v1/cases/{id}/",
    ]
    assert schema["components"]["securitySchemes"] == {
        "cleApi": {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "La clé d'API du système partenaire (« bnm_… »), délivrée par "
                "l'administration fonctionnelle du département."
            ),
        }
    }


# Query counts -------------------------------------------------------------------------------


def _department_with_cases(pair, count: int, today) -> None:  # type: ignore[no-untyped-def]
    """``count`` cases over two pairs, each with an appointment and a contract."""
    other_pair = PairFactory(department=pair.department)
    for index in range(count):
        case = CaseFactory(pair=pair if index % 2 else other_pair, state=CaseState.ACTIVE)
        case_services.appointment_plan(
            case=case,
            acting_user=case.pair.advisor,
            planned_at=timezone.now() + datetime.timedelta(days=2),
            place="Agence",
            with_whom=case.pair.social_worker,
        )
        orientation_services.plan_set_contract(
            case=case,
            acting_user=case.pair.advisor,
            kind="contrat_engagement",
            reference=f"CE-{index}",
            signed_on=today,
        )


@pytest.mark.parametrize("count", [3, 10])
def test_api_list_query_count_is_the_same_for_3_or_10_cases(
    pair, client, today, count, django_assert_num_queries
):
    _department_with_cases(pair, count, today)

    # The key (with its system and department); the page; its appointments; its contracts;
    # then the journal: a savepoint, the head locked, the rows in one INSERT, the head moved,
    # the savepoint released.
    with django_assert_num_queries(9):
        response = client.get(CASES)

    assert len(response.json()["results"]) == count
    assert all(row["contract"] and row["appointments"] for row in response.json()["results"])


# The functional administration --------------------------------------------------------------


def test_admin_issues_a_key_shown_once_that_opens_the_api(case, pair, login_client):
    administrator = ProfessionalFactory(role=Role.ADMIN, organisation__department=pair.department)
    partner, _ = make_partner(pair.department, name="Logiciel départemental")
    client = login_client(administrator)

    response = client.post(
        reverse("admin:partners_partnerkey_add"),
        {
            "partner": partner.pk,
            "expires_at_0": (timezone.localdate() + datetime.timedelta(days=30)).strftime(
                "%d/%m/%Y"
            ),
            "expires_at_1": "12:00:00",
        },
        follow=True,
    )

    shown = [str(message) for message in response.context["messages"]]
    key = PartnerKey.objects.filter(partner=partner).order_by("-pk").first()
    assert key is not None and key.created_by == administrator
    (message,) = [text for text in shown if "bnm_" in text]
    secret = message.split(" : ")[1].split(" ")[0]
    assert secret.startswith(f"bnm_{key.prefix}_")
    assert api_client(secret).get(CASES).status_code == 200
    # The change page is read-only: a key is rotated or revoked, never edited.
    change = client.post(reverse("admin:partners_partnerkey_change", args=[key.pk]), {})
    assert change.status_code == 403


def test_api_read_shows_in_the_persons_journal_naming_the_partner(case, client):
    client.get(case_url(case.pk))

    line = journal_line(InformationShare.objects.get(channel=JournalChannel.API), with_names=False)

    assert (line.who, line.organisation, line.what, line.to_whom) == (
        "rdv-insertion",
        "ANCT",
        "Lu par un logiciel partenaire : le suivi de votre accompagnement (état, référent·e, "
        "dates, rendez-vous)",
        "rdv-insertion (ANCT)",
    )


def test_admin_registers_a_partner_system_through_the_service(pair, login_client):
    administrator = ProfessionalFactory(role=Role.ADMIN, organisation__department=pair.department)

    response = login_client(administrator).post(
        reverse("admin:partners_partnersystem_add"),
        {
            "department": pair.department.pk,
            "name": "rdv-insertion",
            "organisation": "ANCT",
            "scopes": [Scope.FOLLOWUP_READ],
            "requests_per_minute": 60,
            "active": "on",
        },
    )

    partner = PartnerSystem.objects.get(department=pair.department)
    assert response.status_code == 302
    assert (partner.name, partner.scopes, partner.requests_per_minute) == (
        "rdv-insertion",
        ["followup:read"],
        60,
    )
    assert LogEntry.objects.get_for_object(partner).get().actor == administrator
    grant = InformationShare.objects.get(
        object_type=api_services.PARTNER_OBJECT, object_id=str(partner.pk)
    )
    assert (grant.actor, grant.purpose) == (
        administrator,
        "Système partenaire enregistré, portées : followup:read",
    )


def test_admin_rotates_and_revokes_keys_from_the_list(case, pair, partner_and_key, login_client):
    partner, secret = partner_and_key
    administrator = ProfessionalFactory(role=Role.ADMIN, organisation__department=pair.department)
    client = login_client(administrator)
    url = reverse("admin:partners_partnerkey_changelist")
    key = PartnerKey.objects.get(partner=partner)

    rotated = client.post(url, {"action": "rotate", "_selected_action": [key.pk]}, follow=True)
    (message,) = [str(m) for m in rotated.context["messages"] if "bnm_" in str(m)]
    new_secret = message.split(" : ")[1].split(" ")[0]
    new_key = PartnerKey.objects.get(replaces=key)
    client.post(url, {"action": "revoke", "_selected_action": [new_key.pk]})

    assert problem(api_client(secret).get(CASES))[2] == "cle-remplacee"
    assert problem(api_client(new_secret).get(CASES))[2] == "cle-revoquee"
    assert list(
        InformationShare.objects.filter(
            object_type=api_services.PARTNER_OBJECT, object_id=str(partner.pk)
        )
        .order_by("seq")
        .values_list("channel", "actor")
    ) == [
        (JournalChannel.GRANT, None),
        (JournalChannel.GRANT, None),
        (JournalChannel.GRANT, administrator.pk),
        (JournalChannel.REVOKE, administrator.pk),
    ]
