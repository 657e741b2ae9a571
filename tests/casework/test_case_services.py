import datetime
import threading

import pytest
from auditlog.models import LogEntry
from django.db import connections
from django.utils import timezone

from casework import services
from casework.enums import CaseState
from casework.errors import ConcurrentChange, ConsentRequired, InvalidInput
from casework.models import Case
from partners import services as partner_services
from partners.audit import MASK
from partners.errors import InvalidTransition, PairHasOpenCases
from tests.casework.factories import BeneficiaryFactory, CaseFactory, InterviewFactory
from tests.partners.factories import PairFactory

pytestmark = pytest.mark.django_db


def test_case_walks_proposed_to_closed():
    case = CaseFactory()
    worker = case.pair.social_worker

    states = [case.state]
    case = services.case_record_entry_agreement(case=case, acting_user=worker)
    states.append(case.state)
    case = services.case_start(case=case, acting_user=worker, started_on=datetime.date(2026, 2, 2))
    states.append(case.state)
    services.case_record_end_review(case=case, summary="Entrée en formation.", acting_user=worker)
    case = services.case_close(case=case, exit_reason="training", acting_user=worker)
    states.append(case.state)

    assert states == ["proposed", "diagnostic", "active", "closed"]
    assert (case.entry_agreement_recorded_by, case.planned_end_on, case.exit_reason) == (
        worker,
        datetime.date(2027, 2, 2),
        "training",
    )


def test_case_start_without_entry_agreement_refused():
    case = CaseFactory()

    with pytest.raises(ConsentRequired) as error:
        services.case_start(case=case, acting_user=case.pair.advisor)

    assert error.value.message == (
        "L'accord de la personne pour entrer dans l'accompagnement manque."
    )


def test_case_refusal_recorded_and_final():
    case = CaseFactory(state=CaseState.REFUSED)

    with pytest.raises(InvalidTransition) as error:
        services.case_record_entry_agreement(case=case, acting_user=case.pair.social_worker)

    assert case.state == CaseState.REFUSED
    assert error.value.message == (
        "Impossible de enregistrer l'accord d'entrée : l'accompagnement est "
        "« Refusé par la personne »."
    )


def test_suspension_pauses_the_twelve_month_clock():
    case = CaseFactory(state=CaseState.ACTIVE)  # started 2026-02-02, planned end 2027-02-02
    worker = case.pair.social_worker

    services.case_suspend(
        case=case, reason="maternity", acting_user=worker, started_on=datetime.date(2026, 5, 1)
    )
    case = services.case_resume(case=case, acting_user=worker, resumed_on=datetime.date(2026, 7, 1))

    # 61 days of pause (1 May to 1 July) move the planned end from 2 February to 4 April.
    assert (case.state, case.planned_end_on) == ("active", datetime.date(2027, 4, 4))
    assert list(case.suspensions.values_list("started_on", "ended_on")) == [
        (datetime.date(2026, 5, 1), datetime.date(2026, 7, 1))
    ]


def test_pair_end_refused_while_case_open():
    case = CaseFactory(state=CaseState.ACTIVE)

    with pytest.raises(PairHasOpenCases) as error:
        partner_services.pair_end(pair=case.pair, acting_user=None)

    assert error.value.message.startswith("Ce binôme suit encore 1 accompagnement(s) en cours")


def test_pair_end_allowed_once_cases_handed_over():
    case = CaseFactory(state=CaseState.ACTIVE)
    old_pair = case.pair
    services.case_reassign(
        case=case,
        new_pair=PairFactory(department=old_pair.department),
        reason="Départ",
        acting_user=None,
    )

    ended = partner_services.pair_end(pair=old_pair, acting_user=None)

    assert ended.ended_on == timezone.localdate()


def test_cases_reassign_from_moves_every_open_case_and_sets_referent():
    leaving = CaseFactory(state=CaseState.ACTIVE).pair
    second = CaseFactory(pair=leaving, beneficiary__department=leaving.department)
    closed = CaseFactory(
        pair=leaving, beneficiary__department=leaving.department, state=CaseState.CLOSED
    )
    new_pair = PairFactory(department=leaving.department)

    moved = services.cases_reassign_from(
        professional=leaving.advisor, new_pair=new_pair, reason="Mutation", acting_user=None
    )

    assert sorted(c.pk for c in moved) == sorted(
        Case.objects.filter(pair=new_pair).values_list("pk", flat=True)
    )
    assert len(moved) == 2
    assert {c.referent for c in moved} == {new_pair.advisor}
    closed.refresh_from_db()
    second.refresh_from_db()
    assert (closed.pair, second.pair) == (leaving, new_pair)


def test_beneficiary_implausible_birth_date_refused_in_french():
    with pytest.raises(InvalidInput) as error:
        BeneficiaryFactory(birth_date=datetime.date(1850, 1, 1))

    assert (error.value.field, error.value.message.startswith("Cette date de naissance")) == (
        "birth_date",
        True,
    )


def test_beneficiary_identity_masked_in_audit_trail():
    beneficiary = BeneficiaryFactory(first_name="Aïcha", last_name="Benali")

    entry = LogEntry.objects.get_for_object(beneficiary).get()

    assert entry.changes_dict["first_name"] == [MASK, MASK]
    assert "Aïcha" not in str(entry.changes) + entry.object_repr


def test_interview_in_the_future_refused():
    case = CaseFactory(state=CaseState.ACTIVE)

    with pytest.raises(InvalidInput) as error:
        InterviewFactory(case=case, occurred_on=timezone.localdate() + datetime.timedelta(days=1))

    assert (error.value.field, error.value.message) == (
        "occurred_on",
        "Un entretien ne peut pas être daté dans le futur.",
    )
    assert case.interviews.count() == 0


def test_interview_next_appointment_before_interview_refused():
    case = CaseFactory(state=CaseState.ACTIVE)

    with pytest.raises(InvalidInput) as error:
        InterviewFactory(
            case=case,
            occurred_on=datetime.date(2026, 3, 2),
            next_appointment_on=datetime.date(2026, 3, 1),
        )

    assert error.value.field == "next_appointment_on"


def test_interview_by_referent_updates_case_figures():
    case = CaseFactory(state=CaseState.ACTIVE)

    InterviewFactory(
        case=case,
        author=case.referent,
        occurred_on=datetime.date(2026, 3, 2),
        next_appointment_on=datetime.date(2026, 4, 2),
    )
    InterviewFactory(
        case=case, author=case.pair.social_worker, occurred_on=datetime.date(2026, 3, 9)
    )

    case.refresh_from_db()
    assert (
        case.last_interview_on,
        case.last_interview_by,
        case.last_referent_interview_on,
        case.last_contact_on,
        case.next_appointment_on,
        case.version,
    ) == (
        datetime.date(2026, 3, 9),
        case.pair.social_worker,
        datetime.date(2026, 3, 2),
        datetime.date(2026, 3, 9),
        datetime.date(2026, 4, 2),
        5,  # proposed, agreed, started, two interviews
    )


def test_interview_with_stale_version_refused():
    case = CaseFactory(state=CaseState.ACTIVE)
    seen = case.version
    InterviewFactory(case=case)

    with pytest.raises(ConcurrentChange):
        InterviewFactory(case=case, seen_version=seen)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_interview_concurrent_saves_of_same_version_one_refused():
    case = CaseFactory(state=CaseState.ACTIVE)
    seen = case.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save() -> None:
        try:
            barrier.wait()
            services.interview_log(
                case=case,
                author=case.referent,
                occurred_on=datetime.date(2026, 3, 2),
                channel="phone",
                seen_version=seen,
            )
            outcomes.append("enregistré")
        except ConcurrentChange:
            outcomes.append("refusé")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["enregistré", "refusé"]
    assert case.interviews.count() == 1
