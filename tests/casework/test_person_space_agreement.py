"""The person's accord de partage in their space."""

import datetime
import re
import threading
from html import unescape

import pytest
import time_machine
from auditlog.models import LogEntry
from django.db import IntegrityError, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from casework import services, sharing
from casework.enums import (
    AgreementMethod,
    CaseState,
    FileStage,
    JournalChannel,
    ObstacleCategory,
    ShareCategory,
)
from casework.errors import InvalidInput
from casework.forms import AgreementForm
from casework.models import InformationShare, SharingAgreement
from casework.personal_data import export_sections
from casework.retention import set_stage
from casework.services.agreements import agreement_record, default_agreement_expiry
from casework.space import agreements as space_agreements
from casework.space import services as space_services
from partners.errors import InvalidTransition
from tests.casework.factories import CaseFactory
from tests.casework.test_person_space import invited_case, log_in_person
from tests.conftest import log_in
from tests.orientation.factories import make_diagnostic
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def test_agreement_page_says_there_is_none():
    invited_case()
    client = log_in_person(Client())
    response = client.get(reverse("space_agreement"))
    assert response.status_code == 200
    assert "Vous n'avez pas d'accord de partage en cours" in response.content.decode()


def test_agreement_page_lists_each_category_shared_or_not():
    case, _access = invited_case()
    agreement_record(
        case=case,
        categories=[ShareCategory.OBSTACLES_HEALTH],
        how_obtained=AgreementMethod.SIGNED_FORM,
        acting_user=case.pair.social_worker,
    )
    client = log_in_person(Client())
    html = " ".join(client.get(reverse("space_agreement")).content.decode().split())
    assert "Difficultés : santé : <strong>partagé</strong>" in html
    assert "Difficultés : logement : non partagé" in html


def test_agreement_page_refuses_without_a_person_session():
    response = Client().get(reverse("space_agreement"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("space_login"))


@pytest.mark.parametrize("renewals", [1, 3])
def test_agreement_page_query_count(renewals, django_assert_num_queries):
    """Earlier, replaced agreements add no query: only the one in force is read."""
    case, _access = invited_case()
    for _ in range(renewals):
        agreement_record(
            case=case,
            categories=[ShareCategory.OBSTACLES_HEALTH],
            how_obtained=AgreementMethod.SIGNED_FORM,
            acting_user=case.pair.social_worker,
        )
    client = log_in_person(Client())
    with django_assert_num_queries(4):
        client.get(reverse("space_agreement"))


def test_withdraw_all_asks_confirmation_then_withdraws_as_the_persons_act():
    case, access = invited_case()
    agreement = agreement_record(
        case=case,
        categories=[ShareCategory.OBSTACLES_HEALTH, ShareCategory.OBSTACLES_HOUSING],
        how_obtained=AgreementMethod.SIGNED_FORM,
        acting_user=case.pair.social_worker,
    )
    client = log_in_person(Client())
    confirm = client.get(reverse("space_agreement_withdraw"))
    assert "Oui, je retire mon accord" in confirm.content.decode()
    assert SharingAgreement.objects.get(pk=agreement.pk).withdrawn_at is None

    response = client.post(reverse("space_agreement_withdraw"))

    assert response.status_code == 302
    assert response["Location"] == reverse("space_agreement")
    agreement.refresh_from_db()
    assert agreement.withdrawn_at is not None
    assert agreement.withdrawn_by is None
    audit = LogEntry.objects.get_for_object(agreement).order_by("-pk").first()
    assert (audit.actor, audit.actor_email) == (None, f"personne:espace n°{access.pk}")
    row = InformationShare.objects.filter(case=case).order_by("-pk").first()
    assert (row.channel, row.actor_id, row.purpose, row.category) == (
        JournalChannel.PERSON,
        None,
        "Retrait de l'accord de partage par la personne",
        "obstacles:health,obstacles:housing",
    )
    page = client.get(reverse("space_agreement")).content.decode()
    assert "Vous n'avez pas d'accord de partage en cours" in page


# One category at a time, renewal and widening (issue 22).

HEALTH_WORDS = "Douleurs au dos depuis un accident."
HOUSING_WORDS = "Je dors chez ma sœur."


def _agreed(case, categories, **kwargs):  # type: ignore[no-untyped-def]
    return agreement_record(
        case=case,
        categories=categories,
        how_obtained=AgreementMethod.SIGNED_FORM,
        acting_user=case.pair.social_worker,
        **kwargs,
    )


def _last_journal_row(case):  # type: ignore[no-untyped-def]
    """The newest row but the professionals' reads."""
    row = (
        InformationShare.objects.filter(case=case)
        .exclude(channel=JournalChannel.VIEW)
        .order_by("-pk")
        .first()
    )
    return (row.channel, row.actor_id, row.actor_job_title, row.purpose, row.category)


def _person_audit(agreement):  # type: ignore[no-untyped-def]
    audit = LogEntry.objects.get_for_object(agreement).order_by("-pk").first()
    return (audit.actor, audit.actor_email)


def test_withdraw_one_category_hides_it_from_the_advisors_next_request_only():
    case, access = invited_case()
    make_diagnostic(
        case,
        obstacles=[
            (ObstacleCategory.HEALTH, HEALTH_WORDS, True),
            (ObstacleCategory.HOUSING, HOUSING_WORDS, True),
        ],
    )
    before = _agreed(
        case,
        [ShareCategory.OBSTACLES_HEALTH, ShareCategory.OBSTACLES_HOUSING],
        expires_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    advisor = log_in(Client(), case.pair.advisor)
    diagnostic_url = reverse("diagnostic", args=[case.pk])
    shown = advisor.get(diagnostic_url).content.decode()
    assert (HEALTH_WORDS in shown, HOUSING_WORDS in shown) == (True, True)
    person = log_in_person(Client())
    url = reverse("space_agreement_withdraw_category", args=[ShareCategory.OBSTACLES_HEALTH])

    confirm = " ".join(person.get(url).content.decode().split())
    response = person.post(url)

    assert "Si vous confirmez, votre binôme ne verra plus rien de « Difficultés : santé »" in (
        confirm
    )
    assert "Vous partagez encore :</p> <ul> <li>Difficultés : logement</li> </ul>" in confirm
    assert (response.status_code, response["Location"]) == (302, reverse("space_agreement"))
    shown = advisor.get(diagnostic_url).content.decode()
    assert (HEALTH_WORDS in shown, HOUSING_WORDS in shown) == (False, True)
    before.refresh_from_db()
    after = SharingAgreement.objects.current().get(case=case)
    assert (before.replaced_at is not None, before.withdrawn_at) == (True, None)
    assert (
        after.categories,
        after.how_obtained,
        after.recorded_by,
        after.pair,
        after.expires_on,
    ) == (
        [ShareCategory.OBSTACLES_HOUSING],
        AgreementMethod.SPACE,
        None,
        case.pair,
        before.expires_on,
    )
    assert _person_audit(after) == (None, f"personne:espace n°{access.pk}")
    assert _person_audit(before) == (None, f"personne:espace n°{access.pk}")
    assert _last_journal_row(case) == (
        JournalChannel.PERSON,
        None,
        "La personne accompagnée",
        "Retrait par la personne d'une catégorie de son accord de partage",
        "obstacles:health",
    )
    page = " ".join(person.get(reverse("space_agreement")).content.decode().split())
    assert escape("« Difficultés : santé » n'est plus partagé.") in page
    assert "Difficultés : santé : non partagé" in page


def test_case_page_shows_the_narrowed_accord_and_the_act_as_the_persons():
    case, access = invited_case()
    _agreed(case, [ShareCategory.OBSTACLES_HEALTH, ShareCategory.SOCIAL_SUMMARY])
    space_agreements.space_agreement_withdraw_category(
        access=access, category=ShareCategory.OBSTACLES_HEALTH
    )

    # read as text: the history is written by Jinja2 (an apostrophe is &#39;, not &#x27;)
    page = unescape(
        " ".join(
            log_in(Client(), case.pair.advisor)
            .get(reverse("case_detail", args=[case.pk]))
            .content.decode()
            .split()
        )
    )

    assert f"(par la personne, depuis son espace, le {timezone.localdate():%d/%m/%Y})" in page
    row = InformationShare.objects.filter(case=case).order_by("-pk").first()
    assert (
        f"<strong>{space_agreements.CATEGORY_WITHDRAWN}</strong>, le "
        f"{timezone.localtime(row.at):%d/%m/%Y à %H:%M} — "
        "<em>par la personne, depuis son espace</em>"
    ) in page


def test_withdraw_the_last_category_withdraws_the_whole_accord():
    case, access = invited_case()
    agreement = _agreed(case, [ShareCategory.OBSTACLES_HEALTH])
    client = log_in_person(Client())
    url = reverse("space_agreement_withdraw_category", args=[ShareCategory.OBSTACLES_HEALTH])

    confirm = client.get(url).content.decode()
    response = client.post(url, follow=True)

    assert "C'est la dernière catégorie de votre accord" in confirm
    agreement.refresh_from_db()
    assert (agreement.withdrawn_at is not None, agreement.replaced_at, agreement.withdrawn_by) == (
        True,
        None,
        None,
    )
    assert SharingAgreement.objects.filter(case=case).count() == 1
    assert _last_journal_row(case)[3:] == (
        "Retrait de l'accord de partage par la personne",
        "obstacles:health",
    )
    assert [str(m) for m in response.context["messages"]] == [
        "Votre accord de partage est retiré. Plus rien n'est partagé."
    ]
    assert "Vous n'avez pas d'accord de partage en cours" in response.content.decode()


@pytest.mark.parametrize("category", [ShareCategory.OBSTACLES_HOUSING, "inconnue"])
def test_withdraw_a_category_outside_the_accord_is_the_missing_ones_404(category):
    case, _access = invited_case()
    agreement = _agreed(case, [ShareCategory.OBSTACLES_HEALTH])
    client = log_in_person(Client())
    url = reverse("space_agreement_withdraw_category", args=[category])

    assert (client.get(url).status_code, client.post(url).status_code) == (404, 404)
    assert list(SharingAgreement.objects.current().filter(case=case)) == [agreement]


def test_withdraw_a_category_refused_when_the_accord_changed_meanwhile():
    case, access = invited_case()
    _agreed(case, [ShareCategory.OBSTACLES_HEALTH, ShareCategory.OBSTACLES_HOUSING])
    space_agreements.space_agreement_withdraw(access=access)

    with refused(InvalidTransition, "Vous n'avez pas d'accord de partage en cours."):
        space_agreements.space_agreement_withdraw_category(
            access=access, category=ShareCategory.OBSTACLES_HEALTH
        )


def test_another_person_cannot_touch_someone_elses_accord():
    case, _access = invited_case()
    agreement = _agreed(case, [ShareCategory.OBSTACLES_HEALTH, ShareCategory.OBSTACLES_HOUSING])
    invited_case(email="autre@exemple.fr")
    other = log_in_person(Client(), "autre@exemple.fr")
    url = reverse("space_agreement_withdraw_category", args=[ShareCategory.OBSTACLES_HEALTH])

    statuses = (
        other.get(url).status_code,
        other.post(url).status_code,
        other.post(reverse("space_agreement_withdraw"))["Location"],
        other.post(
            reverse("space_agreement_give"),
            {"categories": [ShareCategory.OBSTACLES_FAMILY], "notice_read": "on"},
        )["Location"],
    )

    assert statuses == (404, 404, reverse("space_agreement"), reverse("space_agreement"))
    assert list(SharingAgreement.objects.all()) == [agreement]
    agreement.refresh_from_db()
    assert (agreement.withdrawn_at, agreement.replaced_at) == (None, None)


def test_renew_after_whole_withdrawal_needs_the_notice_read():
    case, access = invited_case()
    _agreed(case, [ShareCategory.OBSTACLES_HEALTH, ShareCategory.OBSTACLES_HOUSING])
    space_agreements.space_agreement_withdraw(access=access)
    client = log_in_person(Client())
    url = reverse("space_agreement_give")
    rows = InformationShare.objects.count()

    page = client.get(url)
    without_notice = client.post(url, {"categories": [ShareCategory.OBSTACLES_HEALTH]})

    html = page.content.decode()
    assert "Renouveler mon accord de partage" in html
    assert "Les sujets que vous pouvez accepter de partager" in html  # the notice
    assert page.context["form"]["categories"].value() == [
        ShareCategory.OBSTACLES_HEALTH,
        ShareCategory.OBSTACLES_HOUSING,
    ]
    assert without_notice.status_code == 200
    assert without_notice.context["form"].errors == {
        "notice_read": [
            "Cochez « J'ai lu ces informations » : c'est nécessaire pour donner votre accord."
        ]
    }
    kept = without_notice.content.decode()
    assert re.search(r'value="obstacles:health"[^>]*checked', kept)
    assert not re.search(r'value="obstacles:housing"[^>]*checked', kept)
    assert SharingAgreement.objects.in_force().filter(case=case).count() == 0
    assert InformationShare.objects.count() == rows

    done = client.post(url, {"categories": [ShareCategory.OBSTACLES_HEALTH], "notice_read": "on"})

    assert (done.status_code, done["Location"]) == (302, reverse("space_agreement"))
    renewed = SharingAgreement.objects.in_force().get(case=case)
    assert (renewed.categories, renewed.how_obtained, renewed.recorded_by, renewed.expires_on) == (
        [ShareCategory.OBSTACLES_HEALTH],
        AgreementMethod.SPACE,
        None,
        default_agreement_expiry(case, timezone.localdate()),
    )
    assert _person_audit(renewed) == (None, f"personne:espace n°{access.pk}")
    assert _last_journal_row(case) == (
        JournalChannel.PERSON,
        None,
        "La personne accompagnée",
        "Accord de partage renouvelé par la personne, après lecture de la notice d'information",
        "obstacles:health",
    )


def test_give_refused_by_the_service_without_the_notice_read():
    case, access = invited_case()
    _agreed(case, [ShareCategory.OBSTACLES_HEALTH])

    with refused(
        InvalidInput,
        "Cochez « J'ai lu ces informations » : c'est nécessaire pour donner votre accord.",
        field="notice_read",
    ):
        space_agreements.space_agreement_give(
            access=access, categories=[ShareCategory.OBSTACLES_HOUSING], notice_read=False
        )
    assert SharingAgreement.objects.filter(case=case).count() == 1


def test_renew_an_expired_accord(today):
    case, access = invited_case()
    expired = _agreed(case, [ShareCategory.SOCIAL_SUMMARY], expires_on=today)

    with time_machine.travel(today + datetime.timedelta(days=2)):
        client = log_in_person(Client())
        page = client.get(reverse("space_agreement")).content.decode()
        client.post(
            reverse("space_agreement_give"),
            {"categories": [ShareCategory.SOCIAL_SUMMARY], "notice_read": "on"},
        )
        renewed = sharing.agreement_in_force(case)

    assert 'href="/mon-espace/accord/renouveler/">Renouveler mon accord</a>' in page
    expired.refresh_from_db()
    assert expired.replaced_at is not None
    assert renewed is not None
    assert (renewed.categories, renewed.how_obtained) == (
        [ShareCategory.SOCIAL_SUMMARY],
        AgreementMethod.SPACE,
    )


def test_widen_adds_the_ticked_categories_to_the_accord_in_force():
    case, access = invited_case()
    before = _agreed(case, [ShareCategory.OBSTACLES_HEALTH])
    client = log_in_person(Client())
    url = reverse("space_agreement_give")

    page = client.get(url)
    not_offered = client.post(
        url, {"categories": [ShareCategory.OBSTACLES_HEALTH], "notice_read": "on"}
    )
    done = client.post(url, {"categories": [ShareCategory.OBSTACLES_HOUSING], "notice_read": "on"})

    offered = [value for value, _label in page.context["form"].fields["categories"].choices]
    assert ShareCategory.OBSTACLES_HEALTH not in offered
    assert len(offered) == len(ShareCategory) - 1
    assert "Partager d'autres catégories" in page.content.decode()
    assert not_offered.context["form"].errors == {
        "categories": ["Cette catégorie n'est pas proposée ici."]
    }
    assert done.status_code == 302
    before.refresh_from_db()
    widened = SharingAgreement.objects.in_force().get(case=case)
    assert (before.replaced_at is not None, widened.categories, widened.how_obtained) == (
        True,
        [ShareCategory.OBSTACLES_HEALTH, ShareCategory.OBSTACLES_HOUSING],
        AgreementMethod.SPACE,
    )
    assert _last_journal_row(case)[3:] == (
        "Accord de partage élargi par la personne, après lecture de la notice d'information",
        "obstacles:health,obstacles:housing",
    )


def test_widen_refused_by_the_service_when_nothing_is_added():
    case, access = invited_case()
    _agreed(case, [ShareCategory.OBSTACLES_HEALTH])

    with refused(
        InvalidInput,
        "Cochez au moins une catégorie que vous ne partagez pas encore.",
        field="categories",
    ):
        space_agreements.space_agreement_give(
            access=access, categories=[ShareCategory.OBSTACLES_HEALTH], notice_read=True
        )


def test_a_first_accord_is_not_given_from_the_space():
    case, access = invited_case()
    client = log_in_person(Client())

    response = client.get(reverse("space_agreement_give"))

    assert (response.status_code, response["Location"]) == (302, reverse("space_agreement"))
    assert "Renouveler mon accord" not in client.get(reverse("space_agreement")).content.decode()
    with refused(
        InvalidTransition,
        "Vous n'avez pas encore donné d'accord de partage : votre travailleur·se social·e le "
        "recueille avec vous.",
    ):
        space_agreements.space_agreement_give(
            access=access, categories=[ShareCategory.OBSTACLES_HEALTH], notice_read=True
        )


def test_give_refused_on_a_closed_accompaniment():
    case, access = invited_case()
    _agreed(case, [ShareCategory.OBSTACLES_HEALTH])
    space_agreements.space_agreement_withdraw(access=access)
    actor = case.pair.social_worker
    services.case_record_end_review(case=case, summary="Bilan fait.", acting_user=actor)
    services.case_close(case=case, exit_reason="durable_job", acting_user=actor)

    with refused(
        InvalidTransition,
        "Votre accompagnement est terminé : votre accord de partage ne peut plus changer.",
    ):
        space_agreements.space_agreement_give(
            access=access, categories=[ShareCategory.OBSTACLES_HEALTH], notice_read=True
        )


@pytest.mark.parametrize("refusal", ["archived", "withdrawn"])
def test_archived_or_withdrawn_person_refused(refusal, today):
    case, access = invited_case()
    agreement = _agreed(case, [ShareCategory.OBSTACLES_HEALTH, ShareCategory.OBSTACLES_HOUSING])
    client = log_in_person(Client())
    if refusal == "archived":
        set_stage(case.beneficiary_id, file_stage=FileStage.ARCHIVED, archived_on=today)
        expected = reverse("space_home")
    else:
        space_services.space_withdraw(access=access, acting_user=case.pair.advisor)
        expected = reverse("space_login")
    category_url = reverse(
        "space_agreement_withdraw_category", args=[ShareCategory.OBSTACLES_HEALTH]
    )
    give = {"categories": [ShareCategory.OBSTACLES_FAMILY], "notice_read": "on"}

    locations = {
        client.get(category_url)["Location"],
        client.post(category_url)["Location"],
        client.get(reverse("space_agreement_give"))["Location"],
        client.post(reverse("space_agreement_give"), give)["Location"],
    }

    assert locations == {expected}
    assert list(SharingAgreement.objects.all()) == [agreement]
    agreement.refresh_from_db()
    assert (agreement.withdrawn_at, agreement.replaced_at) == (None, None)


def test_recorded_by_empty_only_for_an_accord_given_in_the_space():
    case = CaseFactory(state=CaseState.ACTIVE)
    now = timezone.now()
    expires_on = timezone.localdate() + datetime.timedelta(days=30)
    rows = [
        SharingAgreement(
            case=case,
            pair=case.pair,
            how_obtained=how,
            recorded_by=by,
            given_at=now,
            expires_on=expires_on,
            categories=[ShareCategory.SOCIAL_SUMMARY],
        )
        for how, by in (
            (AgreementMethod.SPACE, case.pair.social_worker),
            (AgreementMethod.SIGNED_FORM, None),
        )
    ]

    for row in rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            row.save()
    with refused(InvalidInput, "Dites comment l'accord a été recueilli.", field="how_obtained"):
        agreement_record(
            case=case,
            categories=[ShareCategory.SOCIAL_SUMMARY],
            how_obtained=AgreementMethod.SPACE,
            acting_user=case.pair.social_worker,
        )
    assert [value for value, _ in AgreementForm().fields["how_obtained"].choices] == [
        AgreementMethod.SIGNED_FORM,
        AgreementMethod.ORAL_THREE_WAY,
    ]


@pytest.mark.parametrize("renewals", [1, 3])
def test_agreement_page_query_count_without_an_accord_in_force(renewals, django_assert_num_queries):
    """After a withdrawal, the page asks once whether an accord was ever given (« Renouveler »),
    whatever the history's length."""
    case, access = invited_case()
    for _ in range(renewals):
        _agreed(case, [ShareCategory.OBSTACLES_HEALTH])
    space_agreements.space_agreement_withdraw(access=access)
    client = log_in_person(Client())
    with django_assert_num_queries(5):
        page = client.get(reverse("space_agreement"))
    assert "Renouveler mon accord" in page.content.decode()


def test_person_export_names_the_person_for_an_accord_given_in_the_space():
    case, access = invited_case()
    _agreed(case, [ShareCategory.OBSTACLES_HEALTH])
    space_agreements.space_agreement_give(
        access=access, categories=[ShareCategory.OBSTACLES_HOUSING], notice_read=True
    )

    sections = {
        section.key: section for section in export_sections(case.beneficiary_id, with_names=False)
    }

    rows = [dict(row.readable) for row in sections["casework.sharingagreement"].rows]
    assert [row["recueilli par"] for row in rows] == [
        "Formulaire signé par la personne",
        "Par la personne, depuis son espace",
    ]
    assert (rows[0]["enregistré par"] != "—", rows[1]["enregistré par"]) == (True, "—")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_categories_withdrawn_at_once_both_stop():
    """Two tabs of the person's phone, one withdrawal each, at the same moment: the case's lock
    makes the second read the first's accord, so neither withdrawal is lost."""
    case, access = invited_case()
    _agreed(
        case,
        [
            ShareCategory.OBSTACLES_HEALTH,
            ShareCategory.OBSTACLES_HOUSING,
            ShareCategory.SOCIAL_SUMMARY,
        ],
    )
    withdrawn = [ShareCategory.OBSTACLES_HEALTH, ShareCategory.OBSTACLES_HOUSING]
    barrier = threading.Barrier(len(withdrawn))
    errors: list[BaseException] = []

    def withdraw(category: str) -> None:
        try:
            barrier.wait()
            space_agreements.space_agreement_withdraw_category(access=access, category=category)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=withdraw, args=(category,)) for category in withdrawn]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert SharingAgreement.objects.current().get(case=case).categories == [
        ShareCategory.SOCIAL_SUMMARY
    ]
    assert SharingAgreement.objects.filter(case=case).count() == 3
    assert sorted(
        InformationShare.objects.filter(
            case=case, purpose=space_agreements.CATEGORY_WITHDRAWN
        ).values_list("category", flat=True)
    ) == ["obstacles:health", "obstacles:housing"]
