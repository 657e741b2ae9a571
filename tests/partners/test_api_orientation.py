"""The partner API's ``orientation:write``: a partner system records the authority's orientation
decision of a case, through the same flow as the browser (path, référent unique, letter in the
person's space), idempotent by the partner's own id; the scope, the department, French
problems; the person's opinion never invented; journal and audit rows name the partner."""

import datetime
import json
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.enums import CaseState, JournalChannel, MessageChannel
from casework.messages import services as messages
from casework.models import Case, InformationShare
from casework.personal_data import export_sections
from casework.services.api_appointments import PARTNER_REF
from casework.space import services as space_services
from orientation import services
from orientation.models import OrientationDecision, Recommendation
from partners.api.models import Scope
from partners.models import OutboxMessage
from tests.casework.factories import CaseFactory
from tests.orientation.factories import make_recommendation
from tests.partners.api import api_client, make_partner
from tests.partners.factories import DepartmentFactory, PairFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
REASONS = "Décision de France Travail selon les critères nationaux d'orientation."


def _case(pair: Any) -> Case:
    """An open case whose person has a space and said yes to SMS: a new document is announced."""
    case = CaseFactory(pair=pair, state=CaseState.ACTIVE)
    messages.consent_give(
        beneficiary=case.beneficiary,
        channel=MessageChannel.SMS,
        address="06 12 34 56 78",
        acting_user=case.pair.advisor,
    )
    space_services.space_invite(
        case=case, email=f"personne-{case.pk}@exemple.fr", acting_user=case.pair.social_worker
    )
    return case


@pytest.fixture
def pair():  # type: ignore[no-untyped-def]
    return PairFactory()


@pytest.fixture
def case(pair):  # type: ignore[no-untyped-def]
    return _case(pair)


@pytest.fixture
def partner_and_key(pair):  # type: ignore[no-untyped-def]
    return make_partner(
        pair.department,
        scopes=[Scope.ORIENTATION_WRITE],
        name="Orientation FT",
        organisation="France Travail",
    )


@pytest.fixture
def client(partner_and_key):  # type: ignore[no-untyped-def]
    return api_client(partner_and_key[1])


def url(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/orientation-decisions/"


def body(today: datetime.date, **changes: Any) -> dict[str, Any]:
    sent = {
        "partner_ref": "ft-dec-1",
        "path": "social",
        "decided_on": (today - datetime.timedelta(days=2)).isoformat(),
        "reasons": REASONS,
    }
    return {**sent, **changes}


def send(client, case_id: int, data: dict[str, Any]):  # type: ignore[no-untyped-def]
    return client.post(url(case_id), json.dumps(data), content_type="application/json")


def api_rows(case: Case) -> list[tuple[str, str, str, str, str]]:
    return [
        (row.purpose, row.actor_job_title, row.actor_organisation, row.object_type, row.object_id)
        for row in InformationShare.objects.filter(case=case, channel=JournalChannel.API).order_by(
            "pk"
        )
    ]


def effects(case: Case, decision: OrientationDecision) -> dict[str, Any]:
    """What a decision changed, as the binôme and the person see it."""
    case = Case.objects.select_related("pair").get(pk=case.pk)
    return {
        "orientation_path": case.orientation_path,
        "referent_is_social_worker": case.referent_id == case.pair.social_worker_id,
        "decision": (
            decision.path,
            decision.authority,
            decision.basis,
            decision.decided_on,
            decision.review_on,
            decision.is_reorientation,
            decision.person_agrees,
        ),
        "referent_change_journaled": InformationShare.objects.filter(
            case=case,
            channel=JournalChannel.GRANT,
            purpose="Changement de référent unique à la suite de la décision d'orientation",
        ).count(),
        "letter_announced": sorted(
            key.removeprefix(f"new-document:decision:{decision.pk}")
            for key in OutboxMessage.objects.filter(
                key__startswith=f"new-document:decision:{decision.pk}:"
            ).values_list("key", flat=True)
        ),
    }


def test_a_decision_sent_by_api_takes_effect_as_one_recorded_in_the_browser(
    client, case, pair, partner_and_key, today
):
    twin = _case(pair)
    decided_on = today - datetime.timedelta(days=2)
    in_browser = services.decision_record(
        case=twin,
        acting_user=pair.advisor,
        path="social",
        decided_on=decided_on,
        reasons=REASONS,
    )

    response = send(client, case.pk, body(today))

    assert response.status_code == 201
    decision = OrientationDecision.objects.get(case=case)
    assert effects(case, decision) == effects(twin, in_browser)
    assert effects(case, decision)["letter_announced"] == [":sms"]
    assert effects(case, decision)["referent_change_journaled"] == 1
    assert (decision.recorded_by, decision.partner_system, decision.partner_ref) == (
        None,
        partner_and_key[0],
        "ft-dec-1",
    )
    assert response.json() == {
        "id": decision.pk,
        "partner_ref": "ft-dec-1",
        "case_id": case.pk,
        "path": "social",
        "decided_on": decided_on.isoformat(),
        "review_on": in_browser.review_on.isoformat(),
        "basis": "national_criteria",
        "authority": in_browser.authority,
    }
    assert api_rows(case) == [
        (
            "Décision d'orientation enregistrée par un système partenaire (orientation:write)",
            "Orientation FT",
            "France Travail",
            "décision d'orientation",
            str(decision.pk),
        )
    ]
    # The référent's change is journaled with the partner as actor, as the API row.
    grant = InformationShare.objects.get(
        case=case, channel=JournalChannel.GRANT, purpose__startswith="Changement de référent"
    )
    assert (grant.actor, grant.actor_job_title, grant.actor_organisation) == (
        None,
        "Orientation FT",
        "France Travail",
    )


def test_on_the_national_criteria_the_persons_opinion_is_not_invented(client, case, today):
    response = send(client, case.pk, body(today, path="emploi"))

    assert response.status_code == 201
    decision = OrientationDecision.objects.get(case=case)
    assert (decision.basis, decision.recommendation, decision.person_agrees) == (
        "national_criteria",
        None,
        None,
    )
    assert decision.person_comment == ""


def test_a_recommendation_awaiting_a_decision_is_decided_with_the_persons_opinion(
    client, case, today
):
    recommendation = make_recommendation(
        case, path="socioprofessionnel", person_agrees=False, comment="Je préfère le logement."
    )
    assert recommendation.state == "awaiting_decision"

    response = send(client, case.pk, body(today, path="socioprofessionnel"))

    assert (response.status_code, response.json()["basis"]) == (201, "recommendation")
    decision = OrientationDecision.objects.get(case=case)
    recommendation.refresh_from_db()
    assert (
        decision.recommendation,
        decision.person_agrees,
        decision.person_comment,
        recommendation.state,
    ) == (recommendation, False, "Je préfère le logement.", "decided")


def test_the_same_decision_sent_twice_is_one_decision(client, case, today):
    first = send(client, case.pk, body(today))
    again = send(client, case.pk, body(today, reasons=f"  {REASONS} "))

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    (decision,) = OrientationDecision.objects.filter(case=case)
    assert OutboxMessage.objects.filter(key__startswith="new-document:").count() == 1
    suffix = " par un système partenaire (orientation:write)"
    assert [row[0] for row in api_rows(case)] == [
        f"Décision d'orientation enregistrée{suffix}",
        f"Décision d'orientation envoyée à nouveau, inchangée,{suffix}",
    ]
    assert {row[4] for row in api_rows(case)} == {str(decision.pk)}


@pytest.mark.parametrize(
    "change",
    [
        {"path": "emploi"},
        {"reasons": "D'autres motifs."},
        {"decided_on_days_ago": 3},
        {"review_on_days_ahead": 30},
    ],
    ids=["path", "reasons", "decided_on", "review_on"],
)
def test_the_same_id_with_another_content_is_a_409(client, case, today, change):
    send(client, case.pk, body(today))
    changed = body(today)
    if "decided_on_days_ago" in change:
        changed["decided_on"] = (today - datetime.timedelta(days=3)).isoformat()
    elif "review_on_days_ahead" in change:
        changed["review_on"] = (today + datetime.timedelta(days=30)).isoformat()
    else:
        changed.update(change)
    rows_before = api_rows(case)

    response = send(client, case.pk, changed)

    assert (response.status_code, response["Content-Type"]) == (409, PROBLEM)
    assert (response.json()["code"], response.json()["detail"]) == (
        "identifiant-deja-utilise",
        "Cet identifiant désigne déjà une décision d'orientation différente : une nouvelle "
        "décision prend un nouvel identifiant.",
    )
    assert OrientationDecision.objects.filter(case=case).count() == 1
    assert api_rows(case) == rows_before


def test_the_same_id_on_another_case_is_a_409(client, case, pair, today):
    other = _case(pair)
    send(client, case.pk, body(today))

    response = send(client, other.pk, body(today))

    assert (response.status_code, response.json()["code"]) == (409, "identifiant-deja-utilise")
    assert response.json()["detail"] == (
        "Cet identifiant désigne déjà une décision d'orientation d'un autre accompagnement."
    )
    assert not OrientationDecision.objects.filter(case=other).exists()


def test_a_new_id_records_a_reorientation(client, case, today):
    send(client, case.pk, body(today, path="emploi"))

    response = send(client, case.pk, body(today, partner_ref="ft-dec-2", path="social"))

    assert response.status_code == 201
    assert list(
        OrientationDecision.objects.filter(case=case)
        .order_by("pk")
        .values_list("partner_ref", "path", "is_reorientation")
    ) == [("ft-dec-1", "emploi", False), ("ft-dec-2", "social", True)]


def test_a_closed_case_is_a_409_in_french(client, pair, today):
    closed = CaseFactory(pair=pair, state=CaseState.CLOSED)

    response = send(client, closed.pk, body(today))

    assert (response.status_code, response["Content-Type"]) == (409, PROBLEM)
    assert (response.json()["code"], response.json()["detail"]) == (
        "pas-possible",
        "Impossible d'enregistrer une décision d'orientation : l'accompagnement est « Terminé ».",
    )
    assert not OrientationDecision.objects.exists()
    assert api_rows(closed) == []


def test_a_decision_in_the_future_is_a_400_naming_the_field(client, case, today):
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()

    response = send(client, case.pk, body(today, decided_on=tomorrow))

    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert (response.json()["code"], response.json()["errors"]) == (
        "donnees-invalides",
        {"decided_on": ["Une décision ne peut pas être datée dans le futur."]},
    )
    assert not OrientationDecision.objects.exists()


def test_a_review_before_the_decision_is_a_400_naming_the_field(client, case, today):
    response = send(
        client, case.pk, body(today, review_on=(today - datetime.timedelta(days=30)).isoformat())
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"review_on": ["Le réexamen ne peut précéder la décision."]}


def test_missing_reasons_and_a_bad_id_are_400s_naming_the_fields(client, case, today):
    sent = body(today, partner_ref="pas d'espace")
    del sent["reasons"]

    response = send(client, case.pk, sent)

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["partner_ref", "reasons"]
    assert response.json()["errors"]["partner_ref"] == [
        "Cet identifiant de décision n'est pas valide."
    ]
    assert not OrientationDecision.objects.exists()


def test_without_the_scope_the_answer_is_403_portee_absente(case, pair, today):
    _, key = make_partner(
        pair.department, name="lecteur", scopes=[Scope.FOLLOWUP_READ, Scope.APPOINTMENTS_WRITE]
    )

    response = send(api_client(key), case.pk, body(today))

    assert (response.status_code, response["Content-Type"]) == (403, PROBLEM)
    assert response.json()["code"] == "portee-absente"
    assert not OrientationDecision.objects.exists()


def test_another_departments_case_is_the_same_404_as_a_missing_one(client, today):
    elsewhere = _case(PairFactory(department=DepartmentFactory()))

    other = send(client, elsewhere.pk, body(today))
    missing = send(client, elsewhere.pk + 1000, body(today))

    assert [r.status_code for r in (other, missing)] == [404, 404]
    assert other.json()["code"] == missing.json()["code"] == "introuvable"
    assert other.json()["detail"] == missing.json()["detail"]
    assert not OrientationDecision.objects.exists()
    assert api_rows(elsewhere) == []


def test_audit_rows_name_the_partner(client, case, partner_and_key, today):
    partner = partner_and_key[0]
    recommendation = make_recommendation(case)

    send(client, case.pk, body(today, path=recommendation.path))

    decision = OrientationDecision.objects.get(case=case)
    label = f"partenaire:Orientation FT n°{partner.pk}"
    for model, pk in ((OrientationDecision, decision.pk), (Recommendation, recommendation.pk)):
        entry = (
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_pk=str(pk)
            )
            .order_by("-pk")
            .first()
        )
        assert entry is not None
        assert (entry.actor, entry.actor_email) == (None, label)
    case_entry = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Case), object_pk=str(case.pk)
        )
        .order_by("-pk")
        .first()
    )
    assert case_entry is not None
    assert (case_entry.actor, case_entry.actor_email) == (None, label)


def test_the_orientation_page_says_which_partner_recorded_it(client, case, login_client, today):
    send(client, case.pk, body(today))

    advisor = login_client(case.pair.advisor)
    page = advisor.get(reverse("orientation", args=[case.pk]))
    decision = OrientationDecision.objects.get(case=case)
    letter = advisor.get(reverse("decision_letter", args=[case.pk, decision.pk]))

    assert (page.status_code, letter.status_code) == (200, 200)
    assert (
        "Enregistrée par Orientation FT (France Travail, système partenaire)."
        in page.content.decode()
    )
    assert REASONS.replace("'", "&#x27;") in letter.content.decode()


def test_the_persons_data_export_names_the_partner_not_a_professional(client, case, today):
    send(client, case.pk, body(today))

    sections = {
        section.key: section for section in export_sections(case.beneficiary_id, with_names=False)
    }

    (row,) = [dict(row.readable) for row in sections["orientation.orientationdecision"].rows]
    assert (
        row["enregistrée par"],
        row["système partenaire"],
        row["identifiant chez le partenaire"],
        row["la personne est d'accord"],
    ) == ("—", "Orientation FT (France Travail, système partenaire)", "ft-dec-1", "—")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    partner_ref=st.from_regex(PARTNER_REF, fullmatch=True) | st.text(max_size=70),
    path=st.sampled_from(["emploi", "social", "socioprofessionnel", "autre", ""]),
    decided_days_ago=st.integers(min_value=-3, max_value=4000),
    reasons=st.text(max_size=200),
    review_days_after=st.none() | st.integers(min_value=-30, max_value=400),
)
def test_any_body_on_a_real_case_is_an_answer_never_a_server_error(
    client, case, today, partner_ref, path, decided_days_ago, reasons, review_days_after
):
    """The OpenAPI fuzz (test_api_schemathesis.py) rarely names an existing case: here every
    body reaches the service, on the fixture's open case."""
    decided_on = today - datetime.timedelta(days=decided_days_ago)
    sent: dict[str, Any] = {
        "partner_ref": partner_ref,
        "path": path,
        "decided_on": decided_on.isoformat(),
        "reasons": reasons,
    }
    if review_days_after is not None:
        sent["review_on"] = (decided_on + datetime.timedelta(days=review_days_after)).isoformat()

    response = send(client, case.pk, sent)

    assert (response.status_code in (200, 201, 400, 409), response["Content-Type"]) == (
        True,
        "application/json" if response.status_code in (200, 201) else PROBLEM,
    )
