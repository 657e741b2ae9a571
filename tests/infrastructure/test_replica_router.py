"""The router's rules that hold without a replica (the real replica: test_replica.py)."""

import pytest
from django.db import DEFAULT_DB_ALIAS, router
from django.urls import reverse

from partners import replica
from partners.enums import Role
from partners.models import Professional
from tests.partners.factories import ProfessionalFactory


@pytest.mark.django_db
def test_an_object_read_on_the_replica_is_written_and_followed_on_the_primary() -> None:
    professional = ProfessionalFactory()
    professional._state.db = replica.REPLICA  # as if the page had read it there

    # Without a named database Django would follow the instance's: the replica.
    assert (
        router.db_for_write(Professional, instance=professional),
        router.db_for_read(Professional, instance=professional),
    ) == (DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS)
    assert router.allow_migrate(replica.REPLICA, "partners") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "partners") is True


@pytest.mark.django_db
def test_without_a_replica_a_write_pins_nothing(login_client) -> None:  # type: ignore[no-untyped-def]
    auditor = ProfessionalFactory(role=Role.AUDITOR)
    client = login_client(auditor)

    response = client.post(reverse("journal_search"), {"effacer": "1"})

    assert response.status_code == 302
    assert replica.PIN_SESSION_KEY not in client.session
