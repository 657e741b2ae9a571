import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse

from casework import journal
from casework import services as case_services
from casework.enums import CaseState, JournalChannel, ObstacleCategory, ShareCategory
from casework.models import InformationShare
from casework.views.journal import JOURNAL_CSV_COLUMNS
from partners import services as partner_services
from partners.enums import Role
from tests.casework.factories import CaseFactory, SocialNoteFactory
from tests.conftest import log_in
from tests.orientation.factories import make_diagnostic
from tests.partners.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db

SIZES = [3, 10]


def _auditor(case):  # type: ignore[no-untyped-def]
    return ProfessionalFactory(role=Role.AUDITOR, organisation__department=case.pair.department)


def _views(case, count: int) -> None:  # type: ignore[no-untyped-def]
    for index in range(count):
        journal.record(
            department=case.pair.department,
            actor=case.pair.social_worker if index % 2 else case.pair.advisor,
            channel=JournalChannel.VIEW,
            purpose="Consultation",
            case=case,
            categories=["social_notes"],
        )


def test_printed_journal_shows_organisations_and_titles_not_names(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    worker = case.pair.social_worker
    _views(case, 2)

    client = login_client(case.pair.advisor)
    url = reverse("case_journal_print", args=[case.pk])

    response = client.get(url)

    content = response.content.decode()
    assert worker.organisation.name in content
    assert worker.full_name not in content
    # Opening the document is a preview: nothing is journaled until it is handed over.
    assert InformationShare.objects.filter(case=case, channel="print").count() == 0
    handed = client.post(url)
    row = InformationShare.objects.get(case=case, channel="print")
    assert row.purpose == "Journal des accès et des partages remis à la personne"
    assert row.actor == case.pair.advisor
    # Post, then redirect: the page opens the print dialog once; reloading it hands nothing over.
    assert handed["Location"] == url
    assert "data-autoprint" in client.get(url).content.decode()
    again = client.get(url).content.decode()
    assert "data-autoprint" not in again
    assert "binome-preview" in again
    assert InformationShare.objects.filter(case=case, channel="print").count() == 1
    assert client.options(url).status_code == 405


def test_printed_journal_names_professionals_when_the_department_decided(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    partner_services.department_update(
        department=case.pair.department, fields={"journal_shows_names": True}, acting_user=None
    )
    _views(case, 2)

    response = login_client(_auditor(case)).get(reverse("case_journal_print", args=[case.pk]))

    assert case.pair.social_worker.full_name in response.content.decode()


def test_auditor_search_filters_and_export_is_journaled(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    other = CaseFactory(state=CaseState.ACTIVE, pair__department=case.pair.department)
    _views(case, 3)
    _views(other, 2)
    client = login_client(_auditor(case))

    found = client.get(
        reverse("journal_search"), {"person": case.beneficiary_id, "channel": "view"}
    )
    export = client.get(
        reverse("journal_export"), {"person": case.beneficiary_id, "channel": "view"}
    )

    assert len(found.context["page"].object_list) == 3
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "numéro"
    assert len(rows) == 1 + 3
    exported = InformationShare.objects.get(channel="export")
    assert exported.purpose.startswith("Export du journal (3 lignes)")


def test_auditor_searches_by_name_without_the_name_in_any_url(login_client):
    case = CaseFactory(state=CaseState.ACTIVE, beneficiary__last_name="Fontaine")
    other = CaseFactory(
        state=CaseState.ACTIVE,
        pair__department=case.pair.department,
        beneficiary__last_name="Lemoine",
    )
    _views(case, 3)
    _views(other, 2)
    client = login_client(_auditor(case))

    posted = client.post(reverse("journal_search"), {"person": "fontaine", "channel": "view"})
    found = client.get(posted["Location"])
    export = client.get(reverse("journal_export"))

    assert posted.status_code == 302
    assert "ontaine" not in posted["Location"]
    assert [row.beneficiary_id for row in found.context["page"].object_list] == [
        case.beneficiary_id
    ] * 3
    assert found.context["people"] == [case.beneficiary]
    assert len(export.content.decode("utf-8-sig").strip().splitlines()) == 1 + 3


def test_a_name_search_lists_the_rows_of_everyone_matched_newest_first(login_client):
    first = CaseFactory(state=CaseState.ACTIVE, beneficiary__last_name="Fontaine")
    department = first.pair.department
    second = CaseFactory(
        state=CaseState.ACTIVE, pair__department=department, beneficiary__last_name="Fontaine"
    )
    other = CaseFactory(
        state=CaseState.ACTIVE, pair__department=department, beneficiary__last_name="Lemoine"
    )
    for case in (first, second, other, first, second):  # the people's rows interleaved
        _views(case, 1)
    client = login_client(_auditor(first))

    client.post(reverse("journal_search"), {"person": "Fontaine", "channel": "view"})
    page = client.get(reverse("journal_search")).context["page"]

    matched = InformationShare.objects.filter(
        beneficiary_id__in=[first.beneficiary_id, second.beneficiary_id], channel="view"
    )
    assert [row.pk for row in page.object_list] == list(
        matched.order_by("-at", "-seq").values_list("pk", flat=True)
    )
    assert [row.beneficiary_id for row in page.object_list] == [
        second.beneficiary_id,
        first.beneficiary_id,
    ] * 2
    assert page.paginator.count == 4


def test_auditor_name_search_that_matches_no_one_says_so(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    _views(case, 2)
    client = login_client(_auditor(case))

    client.post(reverse("journal_search"), {"person": "Personne-Inconnue"})
    response = client.get(reverse("journal_search"))

    assert response.context["page"].object_list == []
    assert "Aucune personne de votre département ne correspond à « Personne-Inconnue »" in (
        response.content.decode()
    )
    cleared = client.post(reverse("journal_search"), {"effacer": "1"}, follow=True)
    assert (
        len(cleared.context["page"].object_list)
        == InformationShare.objects.filter(department=case.pair.department).count()
    )


def test_a_persons_rights_page_links_to_their_journal(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    _views(case, 1)
    client = login_client(_auditor(case))

    page = client.get(reverse("person_rights", args=[case.beneficiary_id])).content.decode()
    link = f"{reverse('journal_search')}?person={case.beneficiary_id}"

    assert link in page
    rows = client.get(link).context["page"].object_list
    assert rows and {row.beneficiary_id for row in rows} == {case.beneficiary_id}


def test_auditor_search_end_before_start_says_why(login_client):
    case = CaseFactory()

    response = login_client(_auditor(case)).get(
        reverse("journal_search"), {"start": "2026-05-02", "end": "2026-05-01"}
    )

    assert "La fin de la période précède son début." in response.content.decode()
    assert response.context["page"].object_list == []


@pytest.mark.parametrize("size", SIZES)
def test_case_journal_queries_constant(size, login_client, django_assert_num_queries):
    case = CaseFactory(state=CaseState.ACTIVE)
    _views(case, size)
    client = login_client(case.pair.advisor)

    # session, professional, case, grant check, count, page with actors
    with django_assert_num_queries(6):
        response = client.get(reverse("case_journal", args=[case.pk]))

    assert len(response.context["page"].object_list) == size + 1  # and the grant at opening


@pytest.mark.parametrize("size", SIZES)
def test_auditor_search_queries_constant(size, login_client, django_assert_num_queries):
    case = CaseFactory(state=CaseState.ACTIVE)
    other = CaseFactory(state=CaseState.ACTIVE, pair__department=case.pair.department)
    _views(case, size)
    _views(other, size)
    client = login_client(_auditor(case))

    # session, professional, its TOTP device, professionals and organisations for the filters,
    # count, page
    with django_assert_num_queries(7):
        response = client.get(reverse("journal_search"))

    # and per case its grant at opening, its pair's two accounts and formation; the auditor's
    # account
    assert len(response.context["page"].object_list) == 2 * size + 2 * 4 + 1


def test_auditor_search_counts_at_most_the_cap(login_client, monkeypatch):
    """A department's journal holds millions of rows: the search counts a bounded number."""
    monkeypatch.setattr("casework.views.journal.JOURNAL_COUNT_CAP", 4)
    case = CaseFactory(state=CaseState.ACTIVE)
    _views(case, 5)  # and the grant at opening: 6 rows
    client = login_client(_auditor(case))

    capped = client.get(reverse("journal_search"))
    exact = client.get(
        f"{reverse('journal_search')}?person={case.beneficiary_id}&channel={JournalChannel.GRANT}"
    )

    # the pages stop at the cap (plus one row), the person is told to narrow the search
    assert (capped.context["page"].paginator.count, len(capped.context["page"].object_list)) == (
        5,
        5,
    )
    assert "Plus de 4 lignes : précisez la recherche" in capped.content.decode()
    assert "1 ligne(s)." in exact.content.decode()


def test_journal_categories_are_in_french_on_the_page_and_in_the_export(login_client):
    """In French, and secret ones unnamed for the auditor (never the code either)."""
    case = CaseFactory(state=CaseState.ACTIVE)
    _views(case, 1)  # a reading of social notes
    client = login_client(_auditor(case))

    page = client.get(reverse("journal_search"), {"person": case.beneficiary_id}).content.decode()
    export = client.get(reverse("journal_export"), {"person": case.beneficiary_id})

    for text in (page, export.content.decode("utf-8-sig")):
        assert "Éléments du côté social" in text
        assert "Notes sociales" not in text
        assert "social_notes" not in text


def _journal_after_the_social_side_read_a_health_difficulty(today):  # type: ignore[no-untyped-def]
    """A case whose accord de partage covers housing only; the social worker opens the
    diagnostic (a health difficulty, a disputed debt one, both never shared) and the social
    notes; the advisor opens the diagnostic (the shared housing difficulty crosses)."""
    case = CaseFactory(state=CaseState.ACTIVE)
    social_worker, advisor = case.pair.social_worker, case.pair.advisor
    SocialNoteFactory(case=case)
    case_services.agreement_record(
        case=case,
        categories=[ShareCategory.OBSTACLES_HOUSING],
        how_obtained="signed_form",
        acting_user=social_worker,
    )
    make_diagnostic(
        case,
        obstacles=[
            (ObstacleCategory.HOUSING, "Je dors chez ma sœur", True),
            (ObstacleCategory.FINANCES, "Des dettes de loyer", False),
            (ObstacleCategory.HEALTH, "Mal au dos", True),
        ],
    )
    remplacant = ProfessionalFactory(role=Role.ADVISOR, organisation=advisor.organisation)
    case_services.delegation_give(
        replaced=advisor,
        delegate=remplacant,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
        reason="Congés",
        acting_user=advisor,
    )
    department = case.pair.department
    viewers = {
        "advisor": advisor,
        "remplacant": remplacant,
        "supervisor": ProfessionalFactory(role=Role.SUPERVISOR, organisation=advisor.organisation),
        "admin": ProfessionalFactory(role=Role.ADMIN, organisation__department=department),
        "auditor": _auditor(case),
        "social_worker": social_worker,
    }
    clients = {name: log_in(Client(), viewer) for name, viewer in viewers.items()}
    for name in ("social_worker", "advisor"):
        clients[name].get(reverse("diagnostic", args=[case.pk]))
    clients["social_worker"].get(reverse("case_detail", args=[case.pk]))
    return case, clients


#: The secret categories of the case above: none of them is covered by its accord de partage.
SECRET_LABELS = ["Difficultés : santé", "Difficultés : budget et dettes", "Notes sociales"]


@pytest.mark.parametrize("viewer", ["advisor", "remplacant", "supervisor", "admin", "auditor"])
def test_the_case_journal_names_no_secret_category_but_to_the_social_side(today, viewer):
    case, clients = _journal_after_the_social_side_read_a_health_difficulty(today)
    rows = InformationShare.objects.filter(case=case)
    assert rows.filter(category__contains="obstacles:health").count() == 1  # the social worker's

    page = clients[viewer].get(reverse("case_journal", args=[case.pk]))
    social = clients["social_worker"].get(reverse("case_journal", args=[case.pk]))

    assert page.status_code == social.status_code == 200
    content = page.content.decode()
    assert [label for label in SECRET_LABELS if label in content] == []
    assert "Éléments du côté social" in content
    # What crossed under the accord (the advisor's read of the housing difficulty) is named.
    assert "Difficultés : logement" in content
    # The case's social worker reads every category (the check above can fail).
    social_content = social.content.decode()
    assert [label for label in SECRET_LABELS if label in social_content] == SECRET_LABELS


def test_the_journal_search_and_csv_name_no_secret_category(today):
    case, clients = _journal_after_the_social_side_read_a_health_difficulty(today)
    auditor = clients["auditor"]
    query = {"person": case.beneficiary_id}

    found = auditor.get(reverse("journal_search"), query).content.decode()
    export = auditor.get(reverse("journal_export"), query).content.decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(export), delimiter=";"))
    categories = [row[JOURNAL_CSV_COLUMNS.index("catégories")] for row in rows[1:]]
    for text in (found, export):
        assert [label for label in SECRET_LABELS if label in text] == []
    assert "Éléments du côté social" in categories
    assert "Difficultés : logement" in categories  # crossed under the accord: named
    # Every row is there: the social worker's read of the health difficulty is not dropped.
    assert len(rows) - 1 == InformationShare.objects.filter(case=case).count()


def test_the_case_journal_says_who_acted_when_no_professional_did(login_client):
    case = CaseFactory(state=CaseState.ACTIVE)
    journal.record_person_act(case=case, purpose="Retrait de l'accord de partage par la personne")
    journal.record(
        department=case.pair.department,
        actor=None,
        channel=JournalChannel.MESSAGE,
        purpose="Rappel de rendez-vous",
        case=case,
    )

    page = login_client(case.pair.social_worker).get(reverse("case_journal", args=[case.pk]))

    body = page.content.decode()
    assert "La personne accompagnée" in body
    assert "Binôme (automatique)" in body
    assert "()" not in body
