import datetime

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError

from partners import services
from partners.enums import PairEndReason, Role
from partners.errors import InvalidPair, InvalidTransition
from partners.models import Pair
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def test_pair_create_records_members_department_and_audit_actor():
    department = DepartmentFactory()
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=department)
    advisor = ProfessionalFactory(role=Role.ADVISOR, organisation__department=department)
    social_worker = ProfessionalFactory(
        role=Role.SOCIAL_WORKER, organisation__department=department
    )

    pair = services.pair_create(
        advisor=advisor,
        social_worker=social_worker,
        started_on=datetime.date(2026, 3, 2),
        acting_user=admin,
    )

    assert (pair.department, pair.advisor, pair.social_worker, pair.started_on, pair.ended_on) == (
        department,
        advisor,
        social_worker,
        datetime.date(2026, 3, 2),
        None,
    )
    entry = LogEntry.objects.get_for_object(pair).get()
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, admin)


def test_pair_create_two_advisors_refused_in_french():
    department = DepartmentFactory()
    first, second = ProfessionalFactory.create_batch(
        2, role=Role.ADVISOR, organisation__department=department
    )

    with pytest.raises(InvalidPair) as error:
        services.pair_create(advisor=first, social_worker=second, acting_user=None)

    assert error.value.message == (
        "Deux conseiller·ères France Travail ne peuvent pas former un binôme : "
        "un binôme réunit un·e conseiller·ère et un·e travailleur·se social·e."
    )
    assert Pair.objects.count() == 0


def test_pair_create_two_social_workers_refused_in_french():
    department = DepartmentFactory()
    first, second = ProfessionalFactory.create_batch(
        2, role=Role.SOCIAL_WORKER, organisation__department=department
    )

    with pytest.raises(InvalidPair) as error:
        services.pair_create(advisor=first, social_worker=second, acting_user=None)

    assert error.value.message == (
        "Deux travailleur·ses sociaux·ales ne peuvent pas former un binôme : "
        "un binôme réunit un·e conseiller·ère et un·e travailleur·se social·e."
    )


def test_pair_create_supervisor_as_member_refused_in_french():
    department = DepartmentFactory()
    advisor = ProfessionalFactory(role=Role.ADVISOR, organisation__department=department)
    supervisor = ProfessionalFactory(
        role=Role.SUPERVISOR,
        first_name="Nadia",
        last_name="Morel",
        organisation__department=department,
    )

    with pytest.raises(InvalidPair) as error:
        services.pair_create(advisor=advisor, social_worker=supervisor, acting_user=None)

    assert (
        error.value.message == "Nadia Morel n'est pas travailleur·se social·e (rôle : Encadrant·e)."
    )


def test_pair_create_different_departments_refused_in_french():
    advisor = ProfessionalFactory(role=Role.ADVISOR, organisation__department__code="21")
    social_worker = ProfessionalFactory(
        role=Role.SOCIAL_WORKER, organisation__department__code="71"
    )

    with pytest.raises(InvalidPair) as error:
        services.pair_create(advisor=advisor, social_worker=social_worker, acting_user=None)

    assert error.value.message == (
        "Les deux membres d'un binôme relèvent du même département (21 ≠ 71)."
    )
    assert Pair.objects.count() == 0


def test_pair_create_inactive_professional_refused_in_french():
    department = DepartmentFactory()
    advisor = ProfessionalFactory(role=Role.ADVISOR, organisation__department=department)
    social_worker = ProfessionalFactory(
        role=Role.SOCIAL_WORKER,
        first_name="Sophie",
        last_name="Laurent",
        organisation__department=department,
        is_active=False,
    )

    with pytest.raises(InvalidPair) as error:
        services.pair_create(advisor=advisor, social_worker=social_worker, acting_user=None)

    assert error.value.message == (
        "Sophie Laurent est désactivé·e : un binôme ne réunit que des professionnel·les actif·ves."
    )


def test_pair_create_same_active_pair_twice_refused_in_french():
    pair = PairFactory()

    with pytest.raises(InvalidPair) as error:
        services.pair_create(
            advisor=pair.advisor, social_worker=pair.social_worker, acting_user=None
        )

    assert error.value.message == "Ce binôme existe déjà et est en cours."
    assert Pair.objects.count() == 1


def test_pair_create_again_after_end_allowed():
    pair = PairFactory()
    services.pair_end(pair=pair, reason=PairEndReason.REORGANISATION, acting_user=None)

    again = services.pair_create(
        advisor=pair.advisor, social_worker=pair.social_worker, acting_user=None
    )

    assert list(Pair.objects.active()) == [again]


def test_pair_database_refuses_same_member_twice():
    pair = PairFactory()
    pair.social_worker = pair.advisor

    # the constraint's name, as SQLite and PostgreSQL both word it
    with pytest.raises(IntegrityError, match="pair_members_differ"):
        Pair.objects.create(
            department=pair.department,
            advisor=pair.advisor,
            social_worker=pair.advisor,
            started_on=pair.started_on,
        )


def test_pair_database_refuses_second_active_pair_of_same_members():
    pair = PairFactory()

    # PostgreSQL names the partial unique index; SQLite, its columns
    with pytest.raises(
        IntegrityError,
        match=r"pair_unique_active|partners_pair\.advisor_id, partners_pair\.social_worker_id",
    ):
        Pair.objects.create(
            department=pair.department,
            advisor=pair.advisor,
            social_worker=pair.social_worker,
            started_on=pair.started_on,
        )


def test_pair_end_records_date_and_reason():
    pair = PairFactory(started_on=datetime.date(2026, 1, 5))

    ended = services.pair_end(
        pair=pair,
        reason=PairEndReason.DEPARTURE,
        ended_on=datetime.date(2026, 6, 30),
        acting_user=None,
    )

    assert (ended.ended_on, ended.end_reason, ended.is_active) == (
        datetime.date(2026, 6, 30),
        PairEndReason.DEPARTURE,
        False,
    )


def test_pair_end_twice_refused_in_french():
    pair = PairFactory(started_on=datetime.date(2026, 1, 5))
    services.pair_end(pair=pair, ended_on=datetime.date(2026, 6, 30), acting_user=None)

    with pytest.raises(InvalidTransition) as error:
        services.pair_end(pair=pair, acting_user=None)

    assert error.value.message == "Ce binôme est déjà terminé depuis le 30/06/2026."


def test_pair_end_before_start_refused_in_french():
    pair = PairFactory(started_on=datetime.date(2026, 1, 5))

    with pytest.raises(InvalidTransition) as error:
        services.pair_end(pair=pair, ended_on=datetime.date(2025, 12, 31), acting_user=None)

    assert error.value.message == "La fin d'un binôme ne peut précéder son début (05/01/2026)."
