import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.enums import CaseState
from casework.models import Beneficiary, Case
from partners.enums import Role
from partners.pagination import PAGE_SIZE
from tests.casework.factories import (
    BeneficiaryFactory,
    CaseFactory,
    InterviewFactory,
    SocialNoteFactory,
)
from tests.partners.factories import PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db


def _case(pair, **kwargs):  # type: ignore[no-untyped-def]
    return CaseFactory(pair=pair, beneficiary__department=pair.department, **kwargs)


def test_caseload_lists_overdue_first(login_client, pair, today):
    seen = _case(pair, state=CaseState.ACTIVE, beneficiary__last_name="Abadie")
    InterviewFactory(case=seen, author=pair.advisor, occurred_on=today)
    overdue = _case(pair, state=CaseState.ACTIVE, beneficiary__last_name="Zola")

    response = login_client(pair.advisor).get(reverse("caseload"))

    rows = response.context["page"].object_list
    assert [(c.pk, c.overdue) for c in rows] == [(overdue.pk, True), (seen.pk, False)]


def test_caseload_rows_show_each_case_with_its_values_escaped(login_client, pair, today):
    case = _case(
        pair,
        state=CaseState.ACTIVE,
        beneficiary__last_name="<b>d'Arc</b>",
        beneficiary__first_name="Jeanne",
    )
    services.interview_log(
        case=case,
        author=pair.advisor,
        occurred_on=today,
        channel="in_person",
        next_appointment_on=today + datetime.timedelta(days=3),
    )

    html = login_client(pair.advisor).get(reverse("caseload")).content.decode()

    row = html[html.index(f'href="{reverse("case_detail", args=[case.pk])}"') :]
    row = row[: row.index("</tr>")]
    # the rows are rendered by Jinja2 (partners/fragments.py): escaped as the page is
    assert "&lt;B&gt;D&#39;ARC&lt;/B&gt; Jeanne</a>" in row
    assert "<b>" not in row.lower()
    assert f"{today:%d/%m/%Y}, {pair.advisor.full_name}" in row
    assert f"<td>{today + datetime.timedelta(days=3):%d/%m/%Y}</td>" in row
    assert "<td>En cours</td>" in row


def test_caseload_overdue_filter_and_state_filter(login_client, pair, today):
    seen = _case(pair, state=CaseState.ACTIVE)
    InterviewFactory(case=seen, author=pair.advisor, occurred_on=today)
    overdue = _case(pair, state=CaseState.ACTIVE)
    suspended = _case(pair, state=CaseState.SUSPENDED)
    client = login_client(pair.advisor)

    overdue_only = client.get(reverse("caseload"), {"sans_entretien": "1"})
    suspended_only = client.get(reverse("caseload"), {"etat": "suspended"})

    assert [c.pk for c in overdue_only.context["page"].object_list] == [overdue.pk]
    assert [c.pk for c in suspended_only.context["page"].object_list] == [suspended.pk]


def test_caseload_search_by_post_keeps_names_out_of_url(login_client, pair):
    wanted = _case(pair, beneficiary__last_name="Benali")
    _case(pair, beneficiary__last_name="Durand")
    client = login_client(pair.advisor)

    posted = client.post(reverse("caseload"), {"recherche": "benali"})
    response = client.get(posted["Location"])

    assert "benali" not in posted["Location"].lower()
    assert [c.pk for c in response.context["page"].object_list] == [wanted.pk]


def test_caseload_excludes_other_pairs(login_client, pair):
    mine = _case(pair)
    other = CaseFactory(
        pair=PairFactory(department=pair.department), beneficiary__last_name="Introuvable"
    )

    response = login_client(pair.advisor).get(reverse("caseload"))

    assert [c.pk for c in response.context["page"].object_list] == [mine.pk]
    assert other.beneficiary.last_name.upper() not in response.content.decode()


def test_caseload_pages_count_the_whole_list_and_a_page_past_the_end_shows_the_last(
    login_client, pair
):
    cases = [_case(pair) for _ in range(PAGE_SIZE + 3)]
    client = login_client(pair.advisor)

    second = client.get(reverse("caseload"), {"page": 2})
    past_the_end = client.get(reverse("caseload"), {"page": 9})
    not_a_number = client.get(reverse("caseload"), {"page": "deux"})

    for response, number, rows in ((second, 2, 3), (past_the_end, 2, 3), (not_a_number, 1, 50)):
        page = response.context["page"]
        assert (page.number, page.paginator.count, len(page.object_list)) == (
            number,
            len(cases),
            rows,
        )
    assert "Page 2 sur 2" in second.content.decode()


def test_caseload_empty_state(login_client, pair):
    response = login_client(pair.advisor).get(reverse("caseload"))

    assert "Votre portefeuille est vide." in response.content.decode()


def test_case_page_social_note_shown_to_social_worker_only(login_client, pair):
    case = _case(pair, state=CaseState.ACTIVE)
    note = SocialNoteFactory(case=case)

    for_social_worker = login_client(pair.social_worker).get(reverse("case_detail", args=[case.pk]))
    for_advisor = login_client(pair.advisor).get(reverse("case_detail", args=[case.pk]))

    assert note.text in for_social_worker.content.decode()
    assert note.text not in for_advisor.content.decode()
    assert "Note sociale" not in for_advisor.content.decode()


def test_case_page_supervisor_sees_dates_not_summaries(login_client, pair):
    case = _case(pair, state=CaseState.ACTIVE)
    interview = InterviewFactory(case=case, summary="Recherche d'emploi en logistique")
    supervisor = ProfessionalFactory(role=Role.SUPERVISOR, organisation=pair.advisor.organisation)

    response = login_client(supervisor).get(reverse("case_detail", args=[case.pk]))

    content = unescape(response.content.decode())
    for_the_pair = login_client(pair.advisor).get(reverse("case_detail", args=[case.pk]))
    assert response.context["interview_dates"] == [interview.occurred_on]
    assert "Recherche d'emploi en logistique" not in content
    assert "Recherche d'emploi en logistique" in unescape(for_the_pair.content.decode())
    assert "Saisir un entretien" not in content


def test_case_page_of_another_pair_is_404(login_client, pair):
    other = CaseFactory(pair=PairFactory(department=pair.department))

    response = login_client(pair.advisor).get(reverse("case_detail", args=[other.pk]))
    missing = login_client(pair.advisor).get(reverse("case_detail", args=[other.pk + 1000]))

    assert (response.status_code, missing.status_code) == (404, 404)


def _interview_data(case, **overrides):  # type: ignore[no-untyped-def]
    return {
        "occurred_on": timezone.localdate().isoformat(),
        "channel": "phone",
        "summary": "Point sur la recherche d'emploi",
        "next_appointment_on": "",
        "version": case.version,
        **overrides,
    }


def test_interview_log_with_htmx_returns_activity_and_copyable_summary(login_client, pair, today):
    case = _case(pair, state=CaseState.ACTIVE)

    response = login_client(pair.advisor).post(
        reverse("interview_log", args=[case.pk]),
        _interview_data(case, three_way="on"),
        headers={"HX-Request": "true"},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="activite"')
    assert (
        f"Entretien du {today:%d/%m/%Y}, par téléphone, tripartite. "
        "Point sur la recherche d&#x27;emploi"
    ) in content
    case.refresh_from_db()
    assert (case.last_interview_on, case.last_referent_interview_on) == (today, today)


def test_interview_log_with_htmx_twice_from_the_returned_panel(login_client, pair, today):
    """The panel returned by an interview carries the case's new version: the next interview
    sent from it is saved, not refused as a stale page."""
    case = _case(pair, state=CaseState.ACTIVE)
    client = login_client(pair.advisor)
    url = reverse("interview_log", args=[case.pk])

    first = client.post(url, _interview_data(case), headers={"HX-Request": "true"})
    version = re.search(r'name="version" value="(\d+)"', first.content.decode())
    assert version is not None
    second = client.post(
        url,
        _interview_data(case, summary="Second point", version=version[1]),
        headers={"HX-Request": "true"},
    )

    assert (first.status_code, second.status_code) == (200, 200)
    assert "Second point" in second.content.decode()
    assert "Rechargez la page" not in second.content.decode()
    case.refresh_from_db()
    assert (case.interviews.count(), case.version) == (2, int(version[1]) + 1)


def test_interview_log_without_htmx_redirects_to_case(login_client, pair):
    case = _case(pair, state=CaseState.ACTIVE)

    response = login_client(pair.advisor).post(
        reverse("interview_log", args=[case.pk]), _interview_data(case)
    )

    assert response["Location"] == reverse("case_detail", args=[case.pk])
    assert case.interviews.count() == 1


def test_interview_log_in_future_keeps_typed_values_and_says_why(login_client, pair, today):
    case = _case(pair, state=CaseState.ACTIVE)
    tomorrow = today + datetime.timedelta(days=1)

    response = login_client(pair.advisor).post(
        reverse("interview_log", args=[case.pk]),
        _interview_data(case, occurred_on=tomorrow.isoformat(), summary="Texte saisi"),
        headers={"HX-Request": "true"},
    )

    content = response.content.decode()
    assert "Un entretien ne peut pas être daté dans le futur." in content
    assert "Texte saisi" in content
    assert f'value="{tomorrow.isoformat()}"' in content
    assert case.interviews.count() == 0


def test_interview_log_next_appointment_before_interview_refused(login_client, pair, today):
    case = _case(pair, state=CaseState.ACTIVE)

    response = login_client(pair.advisor).post(
        reverse("interview_log", args=[case.pk]),
        _interview_data(case, next_appointment_on=(today - datetime.timedelta(days=3)).isoformat()),
    )

    assert "Le prochain rendez-vous ne peut pas précéder l&#x27;entretien." in (
        response.content.decode()
    )
    assert case.interviews.count() == 0


def test_interview_log_on_stale_page_refused_with_clear_message(login_client, pair):
    case = _case(pair, state=CaseState.ACTIVE)
    stale = case.version
    InterviewFactory(case=case, author=pair.social_worker)

    response = login_client(pair.advisor).post(
        reverse("interview_log", args=[case.pk]), _interview_data(case, version=stale)
    )

    assert "vient d&#x27;être modifié par quelqu&#x27;un d&#x27;autre" in response.content.decode()
    assert case.interviews.count() == 1


def test_transition_records_entry_agreement(login_client, pair):
    case = _case(pair)

    login_client(pair.social_worker).post(
        reverse("case_transition", args=[case.pk]), {"action": "agree", "version": case.version}
    )

    case.refresh_from_db()
    assert (case.state, case.entry_agreement_recorded_by) == ("diagnostic", pair.social_worker)


def test_transition_close_without_reason_refused(login_client, pair):
    case = _case(pair, state=CaseState.ACTIVE)

    response = login_client(pair.advisor).post(
        reverse("case_transition", args=[case.pk]),
        {"action": "close", "version": case.version},
        follow=True,
    )

    assert "Indiquez le motif de sortie." in response.content.decode()
    case.refresh_from_db()
    assert case.state == "active"


def _person(pair, **overrides):  # type: ignore[no-untyped-def]
    return {
        "first_name": "Inès",
        "last_name": "Moreau",
        "birth_date": "1990-05-17",
        "france_travail_id": "1234567A",
        "pair": pair.pk,
        **overrides,
    }


def test_beneficiary_create_proposes_the_case(login_client, pair):
    response = login_client(pair.advisor).post(reverse("beneficiary_create"), _person(pair))

    case = Case.objects.get(beneficiary__last_name="Moreau")
    assert response["Location"] == reverse("case_detail", args=[case.pk])
    assert (case.state, case.pair, case.referent) == ("proposed", pair, pair.advisor)


def test_beneficiary_create_detects_duplicate_and_offers_existing(login_client, pair):
    existing = _case(pair, beneficiary__france_travail_id="1234567A")
    client = login_client(pair.advisor)

    response = client.post(reverse("beneficiary_create"), _person(pair))

    content = response.content.decode()
    assert "Cette personne est peut-être déjà enregistrée" in content
    assert reverse("case_detail", args=[existing.pk]) in content
    assert 'value="Moreau"' in content
    assert Beneficiary.objects.count() == 1

    confirmed = client.post(reverse("beneficiary_create"), _person(pair, not_a_duplicate="on"))
    assert confirmed.status_code == 302
    assert Beneficiary.objects.count() == 2


def test_beneficiary_create_same_names_and_birth_date_is_a_duplicate(login_client, pair):
    BeneficiaryFactory(
        department=pair.department,
        first_name="inès",
        last_name="MOREAU",
        birth_date=datetime.date(1990, 5, 17),
    )

    response = login_client(pair.advisor).post(
        reverse("beneficiary_create"), _person(pair, france_travail_id="")
    )

    assert "Cette personne est peut-être déjà enregistrée" in response.content.decode()


def test_beneficiary_create_implausible_birth_date_says_why(login_client, pair):
    response = login_client(pair.advisor).post(
        reverse("beneficiary_create"), _person(pair, birth_date="1890-01-01")
    )

    assert "Cette date de naissance n&#x27;est pas plausible" in response.content.decode()
    assert Beneficiary.objects.count() == 0


def test_pair_contact_records_the_cases_discussed(login_client, pair, today):
    first, second = _case(pair), _case(pair)

    response = login_client(pair.advisor).post(
        reverse("pair_contact_create", args=[pair.pk]),
        {
            "occurred_on": today.isoformat(),
            "channel": "phone",
            "cases": [first.pk, second.pk],
            "summary": "Point hebdomadaire",
        },
    )

    assert response.status_code == 302
    contact = pair.contacts.get()
    assert set(contact.cases.all()) == {first, second}


def test_handover_moves_cases_and_prints_letter(login_client, pair):
    case = _case(pair, state=CaseState.ACTIVE)
    new_pair = PairFactory(department=pair.department)
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=pair.department)
    client = login_client(admin)

    response = client.post(
        reverse("handover"),
        {"professional": pair.advisor.pk, "new_pair": new_pair.pk, "reason": "Mutation"},
    )
    letter = client.get(reverse("handover_letter", args=[case.pk]))

    assert [c.pk for c in response.context["moved"]] == [case.pk]
    case.refresh_from_db()
    assert (case.pair, case.referent) == (new_pair, new_pair.advisor)
    assert f"votre référent·e est <strong>{new_pair.advisor.full_name}</strong>" in (
        letter.content.decode()
    )


def test_case_handover_by_admin_moves_one_case_and_opens_letter(login_client, pair):
    case = _case(pair, state=CaseState.ACTIVE)
    other = _case(pair, state=CaseState.ACTIVE)
    new_pair = PairFactory(department=pair.department)
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=pair.department)
    client = login_client(admin)

    page = client.get(reverse("case_detail", args=[case.pk]))
    response = client.post(
        reverse("case_handover", args=[case.pk]), {"new_pair": new_pair.pk, "reason": "Congé"}
    )

    assert "Confier cet accompagnement à un autre binôme" in page.content.decode()
    assert response["Location"] == reverse("handover_letter", args=[case.pk])
    case.refresh_from_db()
    other.refresh_from_db()
    assert (case.pair, other.pair) == (new_pair, pair)


def test_pair_contact_with_a_superscript_digit_is_refused_in_french(login_client, pair, today):
    """'²'.isdigit() is true but int('²') fails: found by the hypothesis fuzzing as a 500."""
    response = login_client(pair.advisor).post(
        reverse("pair_contact_create", args=[pair.pk]),
        {"occurred_on": today.isoformat(), "channel": "phone", "cases": ["²"], "summary": "Point"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["cases"]
    assert not pair.contacts.exists()


def test_suspending_asks_for_a_confirmation_first(login_client, pair):
    case = _case(pair, state=CaseState.ACTIVE)
    client = login_client(pair.advisor)
    data = {"action": "suspend", "version": case.version, "suspension_reason": "hospital"}

    asked = client.post(reverse("case_transition", args=[case.pk]), data)

    case.refresh_from_db()
    assert asked.status_code == 200
    assert "Confirmer : suspendre" in asked.content.decode()
    assert case.state == CaseState.ACTIVE
    done = client.post(
        reverse("case_transition", args=[case.pk]), {**data, "confirmed": "True"}, follow=True
    )
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED
    assert "L&#x27;accompagnement est suspendu." in done.content.decode()


def test_the_reasons_of_a_state_change_are_not_marked_optional(login_client, pair):
    case = _case(pair, state=CaseState.ACTIVE)

    page = login_client(pair.advisor).get(reverse("case_detail", args=[case.pk])).content.decode()

    section = page[page.index('id="titre-etat"') :]
    section = section[: section.index("</section>")]
    assert "Motif de suspension" in section
    assert "Motif de sortie" in section
    assert "Facultatif" not in section


def test_a_case_page_lists_the_successive_binomes_and_who_wrote_under_each(login_client, today):
    case = CaseFactory(state=CaseState.ACTIVE)
    first = case.pair
    InterviewFactory(case=case, author=first.advisor, occurred_on=today, summary="Avant.")
    untouched = CaseFactory(state=CaseState.ACTIVE, pair=first)
    second = PairFactory(department=first.department)
    case = services.case_reassign(case=case, new_pair=second, reason="Départ", acting_user=None)
    services.interview_log(
        case=case, author=second.social_worker, occurred_on=today, channel="phone", summary="Après."
    )

    page = login_client(second.advisor).get(reverse("case_detail", args=[case.pk]))
    html = unescape(page.content.decode())
    history = html[html.index('id="historique"') :]
    successive = html[html.index("Binômes successifs") :]

    assert successive.index(first.members_names) < successive.index(second.members_names)
    assert f"par {first.advisor.full_name}" in history
    assert f"par {second.social_worker.full_name}" in history
    assert "Binômes successifs" not in (
        login_client(first.advisor)
        .get(reverse("case_detail", args=[untouched.pk]))
        .content.decode()
    )
