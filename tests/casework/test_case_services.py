import datetime
import threading

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections, transaction
from django.utils import timezone

from casework import services
from casework.enums import CaseState
from casework.errors import ConcurrentChange, ConsentRequired, InvalidInput
from casework.models import Case
from casework.services._base import bump, lock_case
from partners import services as partner_services
from partners.audit import MASK
from partners.errors import InvalidTransition, PairHasOpenCases
from partners.models import Professional
from tests.casework.factories import BeneficiaryFactory, CaseFactory, InterviewFactory
from tests.partners.factories import PairFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def test_case_walks_proposed_to_closed():
    case = CaseFactory(proposed_on=datetime.date(2026, 1, 12))
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
    case = CaseFactory(
        state=CaseState.ACTIVE,
        proposed_on=datetime.date(2026, 1, 12),
        started_on=datetime.date(2026, 2, 2),  # planned end 2027-02-02
    )
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


def _refusal(error: pytest.ExceptionInfo[InvalidInput]) -> tuple[str | None, str]:
    return (error.value.field, error.value.message)


def test_case_close_before_the_suspension_began_refused(today):
    case = CaseFactory(state=CaseState.ACTIVE)
    worker = case.pair.social_worker
    suspended_on = today - datetime.timedelta(days=10)
    services.case_suspend(case=case, reason="hospital", acting_user=worker, started_on=suspended_on)
    services.case_record_end_review(case=case, summary="Déménagement.", acting_user=worker)

    with pytest.raises(InvalidInput) as error:
        services.case_close(
            case=case,
            exit_reason="moved",
            acting_user=worker,
            closed_on=suspended_on - datetime.timedelta(days=1),
        )

    assert _refusal(error) == (
        "closed_on",
        f"La sortie ne peut pas précéder le début de la suspension ({suspended_on:%d/%m/%Y}).",
    )
    case.refresh_from_db()
    assert (case.state, case.closed_on, case.suspensions.get().ended_on) == (
        "suspended",
        None,
        None,
    )


def test_case_close_on_the_day_the_suspension_began_ends_both(today):
    case = CaseFactory(state=CaseState.ACTIVE)
    worker = case.pair.social_worker
    services.case_suspend(case=case, reason="hospital", acting_user=worker, started_on=today)
    services.case_record_end_review(case=case, summary="Déménagement.", acting_user=worker)

    case = services.case_close(case=case, exit_reason="moved", acting_user=worker, closed_on=today)

    assert (case.state, case.closed_on, case.suspensions.get().ended_on) == ("closed", today, today)


def test_case_close_before_the_accompaniment_started_refused():
    case = CaseFactory(state=CaseState.ACTIVE)
    worker = case.pair.social_worker
    services.case_record_end_review(case=case, summary="Déménagement.", acting_user=worker)

    with pytest.raises(InvalidInput) as error:
        services.case_close(
            case=case,
            exit_reason="moved",
            acting_user=worker,
            closed_on=case.started_on - datetime.timedelta(days=1),
        )

    assert _refusal(error) == (
        "closed_on",
        "La sortie ne peut pas précéder le début de l'accompagnement "
        f"({case.started_on:%d/%m/%Y}).",
    )


def test_case_start_before_the_proposal_refused():
    case = CaseFactory()
    worker = case.pair.social_worker
    services.case_record_entry_agreement(case=case, acting_user=worker)

    with pytest.raises(InvalidInput) as error:
        services.case_start(
            case=case,
            acting_user=worker,
            started_on=case.proposed_on - datetime.timedelta(days=1),
        )

    assert _refusal(error) == (
        "started_on",
        "Le démarrage ne peut pas précéder la proposition de l'accompagnement "
        f"({case.proposed_on:%d/%m/%Y}).",
    )


def test_case_suspend_before_the_accompaniment_started_refused():
    case = CaseFactory(state=CaseState.ACTIVE)

    with pytest.raises(InvalidInput) as error:
        services.case_suspend(
            case=case,
            reason="hospital",
            acting_user=case.pair.social_worker,
            started_on=case.started_on - datetime.timedelta(days=1),
        )

    assert _refusal(error) == (
        "started_on",
        "La suspension ne peut pas précéder le début de l'accompagnement "
        f"({case.started_on:%d/%m/%Y}).",
    )


def test_case_suspend_before_the_previous_resumption_refused(today):
    case = CaseFactory(state=CaseState.ACTIVE)
    worker = case.pair.social_worker
    resumed_on = today - datetime.timedelta(days=5)
    services.case_suspend(
        case=case,
        reason="hospital",
        acting_user=worker,
        started_on=today - datetime.timedelta(days=20),
    )
    services.case_resume(case=case, acting_user=worker, resumed_on=resumed_on)

    with pytest.raises(InvalidInput) as error:
        services.case_suspend(
            case=case,
            reason="maternity",
            acting_user=worker,
            started_on=resumed_on - datetime.timedelta(days=1),
        )

    assert _refusal(error) == (
        "started_on",
        "La suspension ne peut pas précéder la reprise de la suspension précédente "
        f"({resumed_on:%d/%m/%Y}).",
    )
    assert case.suspensions.count() == 1


def test_case_resume_before_the_suspension_began_refused(today):
    case = CaseFactory(state=CaseState.ACTIVE)
    worker = case.pair.social_worker
    suspended_on = today - datetime.timedelta(days=3)
    services.case_suspend(case=case, reason="hospital", acting_user=worker, started_on=suspended_on)

    with pytest.raises(InvalidInput) as error:
        services.case_resume(
            case=case, acting_user=worker, resumed_on=suspended_on - datetime.timedelta(days=1)
        )

    assert _refusal(error) == (
        "resumed_on",
        f"La reprise ne peut pas précéder le début de la suspension ({suspended_on:%d/%m/%Y}).",
    )


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

    with refused(
        ConcurrentChange,
        "Cet accompagnement vient d'être modifié par quelqu'un d'autre. "
        "Rechargez la page pour voir ses changements, puis enregistrez à nouveau.",
    ):
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


def test_locked_case_change_checked_against_the_constraint_of_an_unchanged_field():
    """A row read under lock is validated on what changed, but whole on a constraint that names
    a changed field: « terminé » with the exit reason and end review still empty is refused by
    full_clean (a ValidationError naming both constraints), not left to PostgreSQL."""
    case = CaseFactory(state=CaseState.ACTIVE)

    with transaction.atomic():
        locked = lock_case(case)
        locked.state = CaseState.CLOSED
        with pytest.raises(ValidationError) as refusal:
            bump(locked, None)
        transaction.set_rollback(True)

    assert sorted(refusal.value.message_dict) == [NON_FIELD_ERRORS]
    assert sorted(refusal.value.message_dict[NON_FIELD_ERRORS]) == sorted(
        f"La contrainte « {name} » n’est pas respectée."
        for name in ("case_closed_has_exit_reason", "case_closed_after_end_review")
    )
    case.refresh_from_db()
    assert (case.state, case.version) == (CaseState.ACTIVE, locked.version - 1)


def test_locked_case_changed_foreign_key_still_checked():
    case = CaseFactory(state=CaseState.ACTIVE)
    missing = Professional.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1

    with transaction.atomic():
        locked = lock_case(case)
        locked.last_interview_by_id = missing
        with pytest.raises(ValidationError) as refusal:
            bump(locked, None)
        transaction.set_rollback(True)

    assert sorted(refusal.value.message_dict) == ["last_interview_by"]
