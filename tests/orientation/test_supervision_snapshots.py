"""Supervisors' figures precomputed (orientation/snapshots.py): equal to the live computation,
refreshed after the writes that change them (debounced, through the outbox) and every night,
read by the page which says when they were computed."""

import dataclasses
import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from casework import services as case_services
from orientation import snapshots, tasks
from orientation.models import SupervisionSnapshot
from orientation.supervision import dashboard, export_rows
from partners.outbox.dispatch import relay
from partners.outbox.models import OutboxKind, OutboxMessage
from tests.orientation.factories import make_diagnostic
from tests.orientation.test_supervision import _agreement, _closed, _team

pytestmark = pytest.mark.django_db


def _rich_team(size: int = 3):  # type: ignore[no-untyped-def]
    """The dashboard tests' team, with a closed case, a waiting diagnostic and an agreement."""
    supervisor, advisor, pairs, cases = _team(size)
    today = timezone.localdate()
    _closed(pairs[0], today - datetime.timedelta(days=400), today - datetime.timedelta(days=200))
    make_diagnostic(cases[0])
    _agreement(cases[1], 10)
    return supervisor, advisor, pairs, cases


def _refresh_keys() -> list[str]:
    return sorted(
        OutboxMessage.objects.filter(
            kind=OutboxKind.TASK, payload__task=snapshots.REFRESH_TASK
        ).values_list("key", flat=True)
    )


def _start_of_window() -> datetime.datetime:
    """Now, moved back to the start of its debounce window (two writes then share it)."""
    now = int(timezone.now().timestamp())
    return datetime.datetime.fromtimestamp(
        now - now % snapshots.DEBOUNCE_SECONDS + 1, tz=datetime.UTC
    )


def test_snapshot_figures_equal_the_live_figures_field_by_field():
    supervisor, *_ = _rich_team()
    live = dashboard(supervisor)
    assert live.diagnostics_waiting and live.exits and live.agreements_expiring == 1

    stored = snapshots.compute(supervisor.organisation)
    read, computed_at = snapshots.board_of(supervisor)

    assert stored.figures == snapshots.to_json(live)
    for field in dataclasses.fields(live):
        assert getattr(read, field.name) == getattr(live, field.name), field.name
    assert export_rows(read) == export_rows(live)
    assert computed_at == stored.computed_at


def test_the_page_without_a_snapshot_computes_it_stores_it_and_then_reads_it(login_client):
    supervisor, *_ = _team(2)
    client = login_client(supervisor)

    first = client.get(reverse("supervision"))

    snapshot = SupervisionSnapshot.objects.get(organisation=supervisor.organisation)
    assert snapshot.day == timezone.localdate()
    local = timezone.localtime(snapshot.computed_at)
    assert f"Chiffres calculés le {local:%-d}" in first.text
    assert f"à {local:%H:%M}" in first.text
    assert first.context["computed_at"] == snapshot.computed_at

    second = client.get(reverse("supervision"))
    assert second.context["computed_at"] == snapshot.computed_at  # read, not recomputed
    assert SupervisionSnapshot.objects.count() == 1


def test_a_snapshot_of_an_earlier_day_is_replaced_by_one_of_today(login_client):
    supervisor, *_ = _team(2)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    old = snapshots.compute(supervisor.organisation, today=yesterday)
    old.figures = {**old.figures, "overdue_total": 999}
    old.save()

    response = login_client(supervisor).get(reverse("supervision"))

    assert response.context["board"].overdue_total == dashboard(supervisor).overdue_total != 999
    assert SupervisionSnapshot.objects.filter(day=timezone.localdate()).count() == 1


def test_the_export_reads_the_snapshot(login_client):
    supervisor, *_ = _team(2)
    snapshot = snapshots.compute(supervisor.organisation)
    snapshot.figures = {**snapshot.figures, "agreements_expiring": 4242}
    snapshot.save()

    response = login_client(supervisor).get(reverse("supervision_export", args=["csv"]))

    assert "Accords de partage qui expirent dans les 30 jours;;4242" in response.content.decode()


def test_a_write_enqueues_a_refresh_and_the_refresh_updates_the_snapshot(
    django_capture_on_commit_callbacks,
):
    supervisor, advisor, pairs, cases = _team(2)
    before = snapshots.compute(supervisor.organisation)
    assert snapshots.board_of(supervisor)[0].overdue_total == 2

    moment = _start_of_window()
    with time_machine.travel(moment, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            case_services.interview_log(
                case=cases[1], author=advisor, occurred_on=timezone.localdate(), channel="phone"
            )
        assert len(_refresh_keys()) == 1
        with django_capture_on_commit_callbacks(execute=True):
            relay()  # too early: the refresh waits for the window's end
        assert SupervisionSnapshot.objects.get(pk=before.pk).figures["overdue_total"] == 2
    moment = moment + datetime.timedelta(seconds=snapshots.DEBOUNCE_SECONDS)
    with (
        time_machine.travel(moment, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        relay()

    after = SupervisionSnapshot.objects.get(pk=before.pk)
    assert after.figures["overdue_total"] == 1
    assert after.computed_at == moment  # computed by the refresh, in the window


def test_two_writes_leave_one_pending_refresh_per_organisation(django_capture_on_commit_callbacks):
    supervisor, advisor, pairs, cases = _team(2)
    snapshots.compute(supervisor.organisation)

    moment = _start_of_window()
    with time_machine.travel(moment, tick=False):
        for pair in pairs:
            with django_capture_on_commit_callbacks(execute=True):
                case_services.pair_contact_record(
                    pair=pair,
                    author=advisor,
                    occurred_on=timezone.localdate(),
                    channel="phone",
                    cases=[],
                )

    window = int(moment.timestamp()) // snapshots.DEBOUNCE_SECONDS
    assert _refresh_keys() == [f"supervision-snapshot:{supervisor.organisation.pk}:{window}"]


def test_a_write_outside_any_snapshotted_perimeter_enqueues_nothing(
    django_capture_on_commit_callbacks,
):
    supervisor, advisor, pairs, cases = _team(2)  # no snapshot of the day

    with django_capture_on_commit_callbacks(execute=True):
        case_services.pair_contact_record(
            pair=pairs[0],
            author=advisor,
            occurred_on=timezone.localdate(),
            channel="phone",
            cases=[],
        )

    assert _refresh_keys() == []


def test_the_nightly_run_refreshes_every_supervised_organisation():
    supervisor, *_ = _team(2)
    other, *_ = _team(1)

    assert tasks.refresh_supervision_snapshots() == 2

    assert set(SupervisionSnapshot.objects.values_list("organisation_id", "day")) == {
        (supervisor.organisation_id, timezone.localdate()),
        (other.organisation_id, timezone.localdate()),
    }
    entry = settings.CELERY_BEAT_SCHEDULE["supervision-snapshots"]
    assert entry["task"] == tasks.refresh_supervision_snapshots.name


@pytest.mark.parametrize("size", [2, 12])
def test_the_page_with_a_snapshot_reads_in_a_constant_small_number_of_queries(
    size, login_client, django_assert_num_queries
):
    supervisor, *_ = _team(size)
    snapshots.compute(supervisor.organisation)
    client = login_client(supervisor)

    # session and professional, the snapshot, its professionals, its binômes
    with django_assert_num_queries(5):
        response = client.get(reverse("supervision"))

    assert response.context["board"].advisors[0].open_cases == 2 * size
