"""The person's journal of accesses and shares in their space (« Qui a consulté mon dossier »):
organisations, job titles, dates, what and why; names only if the department decides so; their
own acts as theirs; nobody else's rows; nothing technical (ip, request id, hash)."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework import journal, journal_events, services
from casework.enums import AgreementMethod, CaseState, FileStage, JournalChannel, ShareCategory
from casework.journal import RequestInfo
from casework.models import InformationShare
from casework.retention import set_stage
from casework.space import selectors
from casework.space import services as space_services
from casework.space.selectors import JournalLine
from partners import services as partners_services
from partners.enums import Role
from partners.pagination import PAGE_SIZE
from tests.casework.factories import CaseFactory, SocialNoteFactory
from tests.casework.test_person_space import EMAIL, log_in_person
from tests.conftest import log_in
from tests.orientation.test_person_space_diagnostic import drafted
from tests.partners.factories import PairFactory, ProfessionalFactory

pytestmark = pytest.mark.django_db

ADVISOR_TITLE = "Conseillère accompagnement global"
ADVISOR_ORGANISATION = "France Travail Agence du Port"
SOCIAL_TITLE = "Assistante sociale"
SOCIAL_ORGANISATION = "Maison départementale des solidarités Nord"
URL = reverse("space_journal")


def invited(email: str = EMAIL, pair=None):  # type: ignore[no-untyped-def]
    """A case whose binôme has job titles and organisations of its own (or ``pair``), the
    person invited."""
    binome = (
        {"pair": pair}
        if pair is not None
        else {
            "pair__advisor__job_title": ADVISOR_TITLE,
            "pair__advisor__organisation__name": ADVISOR_ORGANISATION,
            "pair__social_worker__job_title": SOCIAL_TITLE,
            "pair__social_worker__organisation__name": SOCIAL_ORGANISATION,
        }
    )
    case = CaseFactory(state=CaseState.ACTIVE, beneficiary__first_name="Rosalie", **binome)
    space_services.space_invite(case=case, email=email, acting_user=case.pair.social_worker)
    return case


def shared_housing(case) -> None:  # type: ignore[no-untyped-def]
    """A drafted diagnostic, housing covered by the accord: the advisor's read is journaled."""
    drafted(case)
    services.agreement_record(
        case=case,
        categories=[ShareCategory.OBSTACLES_HOUSING],
        how_obtained=AgreementMethod.SIGNED_FORM,
        acting_user=case.pair.social_worker,
    )


def advisor_reads_diagnostic(case) -> None:  # type: ignore[no-untyped-def]
    response = log_in(Client(), case.pair.advisor).get(reverse("diagnostic", args=[case.pk]))
    assert response.status_code == 200


def show_names(case, shown: bool = True) -> None:  # type: ignore[no-untyped-def]
    partners_services.department_update(
        department=case.pair.department, fields={"journal_shows_names": shown}, acting_user=None
    )


def diagnostic_reads(lines: list[JournalLine]) -> list[JournalLine]:
    return [line for line in lines if line.why == "Consultation du diagnostic partagé"]


def test_the_advisors_read_shows_organisation_and_job_title_without_the_name():
    case = invited()
    shared_housing(case)
    advisor_reads_diagnostic(case)
    row = InformationShare.objects.get(purpose="Consultation du diagnostic partagé")

    response = log_in_person(Client()).get(URL)
    page = response.content.decode()

    assert diagnostic_reads(response.context["page"].object_list) == [
        JournalLine(
            at=row.at,
            who=ADVISOR_TITLE,
            organisation=ADVISOR_ORGANISATION,
            name="",
            what="Consultation : diagnostic",
            categories="Difficultés : logement",
            why="Consultation du diagnostic partagé",
            to_whom="",
            basis="votre accord de partage",
        )
    ]
    assert f"{ADVISOR_TITLE}\n            — {ADVISOR_ORGANISATION}" in page
    for professional in (case.pair.advisor, case.pair.social_worker):
        assert professional.full_name not in page
        assert professional.last_name not in page
    assert "Le département a choisi de ne pas afficher le nom des professionnel·les" in page


def test_the_advisors_name_shows_when_the_department_decides_so():
    case = invited()
    shared_housing(case)
    advisor_reads_diagnostic(case)
    show_names(case)

    response = log_in_person(Client()).get(URL)
    page = response.content.decode()

    [line] = diagnostic_reads(response.context["page"].object_list)
    assert (line.name, line.who, line.organisation) == (
        case.pair.advisor.full_name,
        ADVISOR_TITLE,
        ADVISOR_ORGANISATION,
    )
    assert f"{case.pair.advisor.full_name},\n            {ADVISOR_TITLE}" in page
    assert "Le département a choisi de ne pas afficher" not in page


def test_the_departments_administrator_decides_to_show_names_in_the_administration():
    case = invited()
    shared_housing(case)
    advisor_reads_diagnostic(case)
    department = case.pair.department
    admin = ProfessionalFactory(role=Role.ADMIN, organisation__department=department)
    data = {
        "code": department.code,
        "name": department.name,
        "rsa_orientation_authority": department.rsa_orientation_authority,
        "retention_active_years": 2,
        "retention_archive_years": 5,
        "notice_delay_days": 30,
        "interview_interval_days": 30,
        "caseload_target": 70,
        "second_admin_days": 30,
        "breach_observation_days": 10,
        "sms_sender": "Binome",
        "sms_quiet_from": "20:00",
        "sms_quiet_until": "08:00",
        "reminder_days": "2,1",
        "legal_basis_text": department.legal_basis_text,
        "appeal_address": "",
        "appeal_court": department.appeal_court,
        "appeal_france_travail": department.appeal_france_travail,
        "journal_shows_names": "on",
    }
    person = log_in_person(Client())
    before = person.get(URL).content.decode()

    saved = log_in(Client(), admin).post(
        reverse("admin:partners_department_change", args=[department.pk]), data
    )
    after = person.get(URL).content.decode()

    assert saved.status_code == 302
    assert case.pair.advisor.full_name not in before
    assert case.pair.advisor.full_name in after
    change = LogEntry.objects.get_for_object(department).latest("timestamp")
    assert (change.actor, change.changes_dict["journal_shows_names"]) == (
        admin,
        [False, True],
    )


def test_names_in_a_recipient_are_cut_unless_the_department_shows_them():
    """A change of binôme names both binômes after the mark (services.case_reassign)."""
    case = invited()
    new_pair = PairFactory(department=case.pair.department)
    services.case_reassign(case=case, new_pair=new_pair, reason="Départ", acting_user=None)
    client = log_in_person(Client())

    def reassignment() -> JournalLine:
        lines = client.get(URL).context["page"].object_list
        [line] = [line for line in lines if line.why.startswith("Changement de binôme")]
        return line

    hidden = reassignment()
    show_names(case)
    shown = reassignment()

    assert new_pair.advisor.last_name not in hidden.to_whom
    assert new_pair.advisor.full_name in shown.to_whom
    assert shown.to_whom.startswith(hidden.to_whom)
    # Nobody acted: Binôme itself, never « () ».
    assert (hidden.who, hidden.organisation, hidden.name) == (selectors.AUTOMATIC, "", "")


def test_another_persons_rows_never_appear():
    case = invited()
    shared_housing(case)
    other = invited("autre@exemple.fr", pair=case.pair)  # the same binôme and department
    shared_housing(other)
    advisor_reads_diagnostic(other)
    journal_events.case_page_viewed(
        actor=other.pair.social_worker,
        case=other,
        social_notes=[SocialNoteFactory(case=other, author=other.pair.social_worker)],
        delegation_id=None,
        info=RequestInfo(),
    )
    client = log_in_person(Client())  # its code's message is a row of the person's too
    ours = InformationShare.objects.filter(beneficiary=case.beneficiary).count()

    lines = client.get(URL).context["page"].object_list
    theirs = log_in_person(Client(), "autre@exemple.fr").get(URL).context["page"].object_list

    assert len(lines) == ours
    assert diagnostic_reads(lines) == []
    assert [line.why for line in lines if line.why.startswith("Consultation des notes")] == []
    assert len(diagnostic_reads(theirs)) == 1
    assert [line.why for line in theirs if line.why.startswith("Consultation des notes")] == [
        "Consultation des notes sociales de l'accompagnement"
    ]


def test_the_persons_own_act_shows_as_theirs():
    case = invited()
    shared_housing(case)
    client = log_in_person(Client())
    client.post(
        reverse("space_diagnostic"),
        {"validated": "0", "comment": "Le logement passe avant."},
    )

    [line] = [
        line
        for line in client.get(URL).context["page"].object_list
        if line.who == selectors.YOU_FROM_YOUR_SPACE
    ]

    assert (line.who, line.organisation, line.name, line.what, line.why) == (
        "Vous, depuis votre espace",
        "",
        "",
        "Votre démarche : diagnostic",
        "Avis sur le diagnostic : contesté",
    )
    assert "Le logement passe avant." not in client.get(URL).content.decode()


def test_nothing_technical_reaches_the_page():
    case = invited()
    note = SocialNoteFactory(case=case, author=case.pair.social_worker, text="NOTE-SOCIALE-SECRETE")
    row = journal_events.case_page_viewed(
        actor=case.pair.social_worker,
        case=case,
        social_notes=[note],
        delegation_id=None,
        info=RequestInfo(ip="203.0.113.77", request_id="REQUETE-7f3a"),
    )
    assert row is not None

    response = log_in_person(Client()).get(URL)
    page = response.content.decode()

    [line] = [line for line in response.context["page"].object_list if line.at == row.at]
    assert (line.who, line.organisation, line.what, line.categories) == (
        SOCIAL_TITLE,
        SOCIAL_ORGANISATION,
        "Consultation : notes sociales",
        "Notes sociales",
    )
    for secret in ("203.0.113.77", "REQUETE-7f3a", row.hash, row.prev_hash, "NOTE-SOCIALE"):
        assert secret not in page


def test_pages_of_fifty_newest_first():
    start = timezone.now() - datetime.timedelta(days=30)
    with time_machine.travel(start - datetime.timedelta(days=1), tick=False):
        case = invited()
    for number in range(PAGE_SIZE + 5):
        with time_machine.travel(start + datetime.timedelta(hours=number), tick=False):
            journal.record_person_act(case=case, purpose=f"Démarche {number}")
    client = log_in_person(Client())  # its code's message is the newest row
    total = InformationShare.objects.filter(beneficiary=case.beneficiary).count()

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert [line.why for line in first.context["page"].object_list[:4]] == [
        "Code de connexion à l'espace (e-mail)",
        f"Démarche {PAGE_SIZE + 4}",
        f"Démarche {PAGE_SIZE + 3}",
        f"Démarche {PAGE_SIZE + 2}",
    ]
    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert len(second.context["page"].object_list) == total - PAGE_SIZE
    assert "Page suivante" in first.content.decode()
    assert "1 / 2" in first.content.decode()


def test_an_archived_file_sends_the_person_to_the_first_page(today):
    case = invited()
    client = log_in_person(Client())
    set_stage(case.beneficiary_id, file_stage=FileStage.ARCHIVED, archived_on=today)

    response = client.get(URL)

    assert (response.status_code, response["Location"]) == (302, reverse("space_home"))


def test_a_professional_session_is_sent_to_the_persons_login():
    case = invited()

    response = log_in(Client(), case.pair.advisor).get(URL)

    assert (response.status_code, response["Location"]) == (302, reverse("space_login"))


def test_the_first_page_links_to_the_journal():
    invited()

    page = log_in_person(Client()).get(reverse("space_home")).content.decode()

    assert f'href="{URL}">Qui a consulté mon dossier</a>' in page


@pytest.mark.parametrize("size", [2, 6])
def test_journal_queries_constant(size, django_assert_num_queries):
    case = invited()
    show_names(case)  # the actors joined too
    # The rows span two binômes, both members of each, and the person's own acts.
    earlier = case.pair
    case = services.case_reassign(
        case=case,
        new_pair=PairFactory(department=case.pair.department),
        reason="Départ",
        acting_user=earlier.advisor,
    )
    for number in range(size):
        for pair in (earlier, case.pair):
            for member in (pair.advisor, pair.social_worker):
                journal.record(
                    department=case.pair.department,
                    actor=member,
                    channel=JournalChannel.VIEW,
                    purpose=f"Lecture {number}",
                    case=case,
                    categories=[ShareCategory.PROFESSIONAL_SITUATION],
                )
        journal.record_person_act(case=case, purpose=f"Démarche {number}")
    client = log_in_person(Client())

    # session, the access (with the person, the case, its department), the rows' count, the
    # page's rows with their actors
    with django_assert_num_queries(4):
        response = client.get(URL)

    lines = response.context["page"].object_list
    assert len([line for line in lines if line.why.startswith(("Lecture", "Démarche"))]) == (
        5 * size
    )
    assert len({line.name for line in lines if line.why.startswith("Lecture")}) == 4
