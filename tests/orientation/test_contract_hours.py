"""The contrat d'engagement's aim of hours of activity a week (loi « pour le plein emploi »):
15 by default, adjusted by the binôme down to none for a difficulty of the diagnostic, which
the advisor reads only as the accord de partage covers it. An aim agreed with the person, never
a counter: nothing compares the activities done with it, warns or reports."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from casework import services as case_services
from casework.enums import JournalChannel, ObstacleCategory, ShareCategory
from casework.errors import InvalidInput
from casework.models import InformationShare
from orientation import services, tasks
from orientation.enums import ActionOwner, ActionStatus
from orientation.models import ActionPlan, Notification
from orientation.selectors import ADJUSTED_FOR_SOCIAL_REASONS
from tests.casework.test_person_space import invited_case, log_in_person
from tests.conftest import log_in
from tests.orientation.factories import make_diagnostic, obstacles_of
from tests.outbox import outbox_messages

pytestmark = pytest.mark.django_db


def _with_health_not_shared():  # type: ignore[no-untyped-def]
    """Rosalie's case: her accord covers housing, not health; both are in her diagnostic."""
    case, _access = invited_case()
    case_services.agreement_record(
        case=case,
        categories=[ShareCategory.OBSTACLES_HOUSING],
        how_obtained="signed_form",
        acting_user=case.pair.social_worker,
    )
    diagnostic = make_diagnostic(
        case,
        obstacles=[
            (ObstacleCategory.HOUSING, "Je dors chez ma sœur", True),
            (ObstacleCategory.HEALTH, "Mon dos me fait souffrir", True),
        ],
    )
    health = next(o for o in obstacles_of(diagnostic) if o.category == ObstacleCategory.HEALTH)
    return case, health


def test_hours_adjusted_to_none_for_a_health_difficulty_the_accord_does_not_cover():
    case, health = _with_health_not_shared()
    social = log_in(Client(), case.pair.social_worker)

    saved = social.post(
        reverse("plan_contract", args=[case.pk]),
        {
            "kind": "contrat_engagement",
            "reference": "CE-2026-12",
            "weekly_hours": "0",
            "adjusted_for": str(health.pk),
        },
    )

    assert saved.status_code == 302
    plan = ActionPlan.objects.get(case=case)
    assert (plan.weekly_hours, plan.hours_adjusted_for) == (0, health)
    pages = {
        "social worker": social.get(reverse("action_plan", args=[case.pk])),
        "advisor": log_in(Client(), case.pair.advisor).get(reverse("action_plan", args=[case.pk])),
        "advisor's print": log_in(Client(), case.pair.advisor).get(
            reverse("plan_print", args=[case.pk])
        ),
        "the person's copy": log_in_person(Client()).get(reverse("space_document_plan")),
    }
    text = {who: response.content.decode() for who, response in pages.items()}
    named = "(au lieu de 15 heures), en raison de : santé."
    assert named in text["social worker"]
    assert named in text["the person's copy"]
    for who in ("advisor", "advisor's print"):
        assert f"(au lieu de 15 heures), {ADJUSTED_FOR_SOCIAL_REASONS}." in text[who], who
        assert "santé" not in text[who].lower(), who
        assert "Mon dos me fait souffrir" not in text[who], who
    assert "personne ne compare les heures faites avec lui" in text["advisor's print"]


def test_the_advisor_reads_the_reason_when_the_accord_covers_it():
    case, health = _with_health_not_shared()
    services.plan_set_contract(
        case=case,
        acting_user=case.pair.social_worker,
        kind="contrat_engagement",
        reference="",
        signed_on=None,
        weekly_hours=8,
        adjusted_for=health,
    )
    case_services.agreement_record(
        case=case,
        categories=[ShareCategory.OBSTACLES_HOUSING, ShareCategory.OBSTACLES_HEALTH],
        how_obtained="signed_form",
        acting_user=case.pair.social_worker,
    )

    page = log_in(Client(), case.pair.advisor).get(reverse("action_plan", args=[case.pk]))

    assert (
        "Objectif : 8 heures d&#x27;activité par semaine (au lieu de 15), en raison de : santé."
        in page.content.decode()
    )


def test_below_the_aim_without_a_difficulty_is_refused_and_the_form_keeps_what_was_typed():
    case, _health = _with_health_not_shared()
    social = log_in(Client(), case.pair.social_worker)

    page = social.post(
        reverse("plan_contract", args=[case.pk]),
        {"kind": "contrat_engagement", "reference": "CE-9", "weekly_hours": "10"},
    )

    text = page.content.decode()
    assert "Sous 15 heures, l&#x27;objectif s&#x27;ajuste pour une difficulté du diagnostic" in text
    assert 'value="CE-9"' in text and 'value="10"' in text
    assert not ActionPlan.objects.filter(case=case).exists()
    with pytest.raises(InvalidInput, match="entre 0 et 35 heures"):
        services.plan_set_contract(
            case=case,
            acting_user=case.pair.social_worker,
            kind="contrat_engagement",
            reference="",
            signed_on=None,
            weekly_hours=40,
        )


def test_the_aim_or_more_clears_an_adjustment():
    case, health = _with_health_not_shared()
    arguments = {
        "case": case,
        "acting_user": case.pair.social_worker,
        "kind": "contrat_engagement",
        "reference": "",
        "signed_on": None,
    }
    services.plan_set_contract(**arguments, weekly_hours=5, adjusted_for=health)

    plan = services.plan_set_contract(**arguments, weekly_hours=20, adjusted_for=health)

    assert (plan.weekly_hours, plan.hours_adjusted_for) == (20, None)


def test_no_service_or_task_compares_the_hours_done_with_the_aim(today):
    """Actions with hours, done or not, below or above the aim, then every daily task: no
    notification, no message, no journal row of any report comes from the hours."""
    case, health = _with_health_not_shared()
    tasks.send_daily_reminders(today.isoformat())  # today's reminders, whatever the hours

    def written() -> tuple[int, int, int]:
        return (
            Notification.objects.count(),
            outbox_messages().count(),
            InformationShare.objects.filter(channel=JournalChannel.REPORT).count(),
        )

    before = written()
    services.plan_set_contract(
        case=case,
        acting_user=case.pair.social_worker,
        kind="contrat_engagement",
        reference="",
        signed_on=None,
        weekly_hours=12,
        adjusted_for=health,
    )
    actions = [
        services.action_add(
            case=case,
            acting_user=case.pair.advisor,
            title=title,
            owner=ActionOwner.PERSON,
            weekly_hours=hours,
        )
        for title, hours in (("Atelier CV", 2), ("Immersion en cuisine", 30))
    ]

    for status in (ActionStatus.DONE, ActionStatus.DROPPED, ActionStatus.TO_DO):
        for action in actions:
            services.action_set_status(action=action, acting_user=case.pair.advisor, status=status)
    tasks.send_daily_reminders(today.isoformat())

    assert written() == before


def test_the_plan_page_labels_each_hours_field_apart():
    """The action form and the contract form both ask for hours: each label names its own."""
    case, _health = _with_health_not_shared()

    page = log_in(Client(), case.pair.social_worker).get(reverse("action_plan", args=[case.pk]))

    text = page.content.decode()
    ids = re.findall(r'\sid="([^"]+)"', text)
    assert [i for i in set(ids) if ids.count(i) > 1] == []
    assert 'for="id_contrat_weekly_hours"' in text and 'for="id_weekly_hours"' in text
