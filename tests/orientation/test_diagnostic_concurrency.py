import threading
from collections.abc import Callable

import pytest
from django.db import connections

from orientation import services
from orientation.models import Diagnostic
from tests.orientation.factories import make_diagnostic

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _together(*actions: Callable[[], object]) -> list[BaseException]:
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            action()
        except BaseException as error:  # noqa: BLE001 — reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_both_professionals_edit_their_sections_at_once_without_overwriting():
    diagnostic = make_diagnostic()
    case = diagnostic.case

    errors = _together(
        lambda: services.diagnostic_update(
            diagnostic=diagnostic,
            acting_user=case.pair.advisor,
            fields={"professional_situation": "Écrit par le conseiller"},
        ),
        lambda: services.diagnostic_update(
            diagnostic=diagnostic,
            acting_user=case.pair.social_worker,
            fields={"social_summary": "Écrit par la travailleuse sociale"},
        ),
    )

    stored = Diagnostic.objects.get(pk=diagnostic.pk)
    assert errors == []
    assert (stored.professional_situation, stored.social_summary) == (
        "Écrit par le conseiller",
        "Écrit par la travailleuse sociale",
    )


def test_racing_signatures_give_one_locked_state():
    diagnostic = make_diagnostic()
    case = diagnostic.case
    services.diagnostic_record_opinion(
        diagnostic=diagnostic, acting_user=case.pair.advisor, validated=True
    )

    errors = _together(
        lambda: services.diagnostic_sign(diagnostic=diagnostic, acting_user=case.pair.advisor),
        lambda: services.diagnostic_sign(
            diagnostic=diagnostic, acting_user=case.pair.social_worker
        ),
    )

    stored = Diagnostic.objects.get(pk=diagnostic.pk)
    assert errors == []
    assert stored.state == "locked"
    assert stored.advisor_signed_by == case.pair.advisor
    assert stored.social_worker_signed_by == case.pair.social_worker
    assert stored.locked_at == max(stored.advisor_signed_at, stored.social_worker_signed_at)
