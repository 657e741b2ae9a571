"""One department with every kind of viewer around one case, for the access matrix and canary."""

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from dsfr.models import DsfrConfig

from casework import rights, services
from casework.enums import CaseState, ObstacleCategory, ShareCategory
from casework.journal import RequestInfo
from casework.models import Case, FlowImport
from orientation import journal_events as orientation_journal_events
from orientation import selectors as orientation_selectors
from orientation import services as orientation_services
from partners import services as partner_services
from partners.api import services as api_services
from partners.api.models import Scope
from partners.enums import OrganisationKind, Role
from partners.models import OutboxMessage, Pair, Professional
from partners.outbox import MAX_ATTEMPTS
from tests.casework.factories import (
    CaseFactory,
    InterviewFactory,
    NoteFactory,
    SocialNoteFactory,
    SocialRequestFactory,
)
from tests.orientation.factories import make_decided_case, make_diagnostic, obstacles_of
from tests.partners.factories import DepartmentFactory, PairFactory, ProfessionalFactory

ANONYMOUS = "anonymous"
#: Every viewer the access matrix and the canary test request as.
VIEWERS = [
    "case_advisor",
    "case_social_worker",
    "same_org_advisor",
    "same_org_social_worker",
    "other_org_advisor",
    "other_org_social_worker",
    "correspondent_social_worker",
    "other_correspondent_social_worker",
    "supervisor_subtree",
    "supervisor_other",
    "admin",
    # The functional administrator of another department: none of the world's objects is theirs.
    "other_department_admin",
    "auditor",
    "delegate_advisor",
    "delegate_social_worker",
    "expired_delegate_social_worker",
    # Axis 3: the social worker of « MDS du centre » who follows a case alone (no advisor).
    "solo_social_worker",
    "inactive",
    ANONYMOUS,
]


@dataclass
class World:
    case: Case
    pair: Pair
    professionals: dict[str, Professional]
    secrets: list[str] = field(default_factory=list)
    #: Tokens in content that crosses to the advisor under the person's accord de partage.
    shared: list[str] = field(default_factory=list)
    #: Tokens in a one-off request (axis 1): the requester and the territory's correspondents.
    request_content: list[str] = field(default_factory=list)
    objects: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    department = DepartmentFactory()

    def organisation(kind: str, name: str, parent=None):  # type: ignore[no-untyped-def]
        return partner_services.organisation_create(
            department=department, kind=kind, name=name, parent=parent, acting_user=None
        )

    agency = organisation(OrganisationKind.FRANCE_TRAVAIL, "Agence du centre")
    unit = organisation(OrganisationKind.DEPARTMENT, "MDS du centre")
    other_agency = organisation(OrganisationKind.FRANCE_TRAVAIL, "Agence du nord")
    other_unit = organisation(OrganisationKind.DEPARTMENT, "MDS du nord")
    direction = organisation(OrganisationKind.DEPARTMENT, "Direction de l'insertion")

    def member(role: str, org) -> Professional:  # type: ignore[no-untyped-def]
        return ProfessionalFactory(role=role, organisation=org)

    pair = PairFactory(
        department=department,
        advisor=member(Role.ADVISOR, agency),
        social_worker=member(Role.SOCIAL_WORKER, unit),
    )
    same_org = PairFactory(
        department=department,
        advisor=member(Role.ADVISOR, agency),
        social_worker=member(Role.SOCIAL_WORKER, unit),
    )
    other_org = PairFactory(
        department=department,
        advisor=member(Role.ADVISOR, other_agency),
        social_worker=member(Role.SOCIAL_WORKER, other_unit),
    )
    case = CaseFactory(pair=pair, beneficiary__department=department, state=CaseState.ACTIVE)
    # Each other pair follows someone too, so a leak across pairs would have data to show.
    CaseFactory(pair=same_org, beneficiary__department=department, state=CaseState.ACTIVE)
    CaseFactory(pair=other_org, beneficiary__department=department, state=CaseState.ACTIVE)
    interview = InterviewFactory(case=case)
    NoteFactory(case=case)
    social_note = SocialNoteFactory(case=case)
    services.agreement_record(
        case=case,
        categories=[ShareCategory.SOCIAL_SUMMARY, ShareCategory.OBSTACLES_HOUSING],
        how_obtained="oral_three_way",
        acting_user=pair.social_worker,
    )

    professionals = {
        "case_advisor": pair.advisor,
        "case_social_worker": pair.social_worker,
        "same_org_advisor": same_org.advisor,
        "same_org_social_worker": same_org.social_worker,
        "other_org_advisor": other_org.advisor,
        "other_org_social_worker": other_org.social_worker,
        "supervisor_subtree": member(Role.SUPERVISOR, agency),
        "supervisor_other": member(Role.SUPERVISOR, other_agency),
        "admin": member(Role.ADMIN, direction),
        "other_department_admin": ProfessionalFactory(
            role=Role.ADMIN,
            organisation=partner_services.organisation_create(
                department=DepartmentFactory(),
                kind=OrganisationKind.DEPARTMENT,
                name="Pôle insertion, autre département",
                acting_user=None,
            ),
        ),
        "auditor": member(Role.AUDITOR, direction),
        "inactive": ProfessionalFactory(role=Role.ADVISOR, organisation=agency, is_active=False),
        # Social correspondents (axis 1): the one of the request's territory, and another one.
        "correspondent_social_worker": ProfessionalFactory(
            role=Role.SOCIAL_WORKER, organisation=unit, is_social_correspondent=True
        ),
        "other_correspondent_social_worker": ProfessionalFactory(
            role=Role.SOCIAL_WORKER, organisation=other_unit, is_social_correspondent=True
        ),
        # Remplacements: of the case's advisor and social worker, in force today; and one of the
        # social worker that ended yesterday, whose grants the nightly task has not removed yet.
        "delegate_advisor": member(Role.ADVISOR, other_agency),
        "delegate_social_worker": member(Role.SOCIAL_WORKER, other_unit),
        "expired_delegate_social_worker": member(Role.SOCIAL_WORKER, unit),
        "solo_social_worker": member(Role.SOCIAL_WORKER, unit),
    }
    # Axis 3: a suivi social seul (no advisor) and its case, with an interview, a secret social
    # note, a diagnostic and an appointment: its social worker alone sees them; nobody on the
    # France Travail side (advisors, their remplaçant·es, the agencies' supervisors) does.
    solo_pair = PairFactory(
        department=department, advisor=None, social_worker=professionals["solo_social_worker"]
    )
    solo_case = CaseFactory(
        pair=solo_pair, beneficiary__department=department, state=CaseState.ACTIVE
    )
    solo_secret = f"SOLO-{uuid.uuid4()}"
    SocialNoteFactory(case=solo_case, text=f"Suivi social seul, {solo_secret}")
    solo_objects = {
        "solo_case": solo_case,
        "solo_secret": solo_secret,
        "solo_interview": InterviewFactory(case=solo_case),
        "solo_diagnostic": make_diagnostic(solo_case, social_details=f"Dette, {solo_secret}"),
        "solo_appointment": services.appointment_plan(
            case=solo_case,
            acting_user=solo_pair.social_worker,
            planned_at=timezone.now(),
            place="MDS du centre",
            with_whom=solo_pair.social_worker,
        ),
    }
    # The rows of the operators' admins (OperatorOnlyAdmin), so that their object pages are
    # crawled too: the administrator's second-factor device and the DSFR settings.
    TOTPDevice.objects.create(user=professionals["admin"], name="Test", confirmed=True)
    DsfrConfig.objects.create(language="fr", site_title="Binôme")
    # A partner system of the department with every scope, and its key (the partner API; its
    # admin pages are crawled too, and tests/partners/test_api_canary.py calls the API with it).
    partner_system = api_services.partner_system_create(
        department=department,
        name="rdv-insertion",
        organisation="ANCT",
        scopes=list(Scope.values),
        acting_user=None,
    )
    partner_key = api_services.partner_key_issue(partner=partner_system, acting_user=None)
    shared = f"SHARED-{uuid.uuid4()}"
    details = f"SECRET-{uuid.uuid4()}"
    diagnostic = make_diagnostic(
        case,
        social_summary=f"Hébergée chez sa sœur, {shared}",
        social_details=f"Dette de loyer, {details}",
        obstacles=[
            (ObstacleCategory.HOUSING, "Je dors chez ma sœur", True),
            (ObstacleCategory.HEALTH, f"Mal au dos, {f'SECRET-{uuid.uuid4()}'}", True),
            # Housing is covered, but the person disputes this one: it is never shared.
            (ObstacleCategory.HOUSING, f"Expulsion en cours, {f'SECRET-{uuid.uuid4()}'}", False),
        ],
    )
    shared_obstacle, uncovered_obstacle, disputed_obstacle = obstacles_of(diagnostic)
    secret_obstacles = [
        o.in_persons_words.split(", ")[-1] for o in (uncovered_obstacle, disputed_obstacle)
    ]
    # The social worker has read the diagnostic (as its page journals it): the case's journal
    # holds a read of the health difficulty, which no accord covers, before the crawl.
    orientation_journal_events.diagnostic_viewed(
        actor=pair.social_worker,
        case=case,
        view=orientation_selectors.diagnostic_for(diagnostic, pair.social_worker),
        purpose="Consultation du diagnostic partagé",
        info=RequestInfo(),
    )
    appointment = services.appointment_plan(
        case=case,
        acting_user=pair.advisor,
        planned_at=timezone.now(),
        place="Agence du centre",
        with_whom=pair.advisor,
    )
    # A signalement de manquement of the référent (the advisor), its letter handed: the person
    # may still present observations, so that it cannot be transmitted yet.
    breach_report = services.breach_inform(
        report=services.breach_report(
            case=case, acting_user=pair.advisor, reason="Deux rendez-vous manqués sans nouvelles"
        ),
        acting_user=pair.advisor,
        info=RequestInfo(),
    )
    action = orientation_services.action_add(
        case=case, acting_user=pair.advisor, title="Refaire le CV", owner="person"
    )
    # A one-off request of the case's advisor about someone followed outside a binôme, to the
    # correspondents of « MDS du centre »; answered, so that both texts would leak.
    question, answer = f"REQUEST-{uuid.uuid4()}", f"REQUEST-{uuid.uuid4()}"
    social_request = SocialRequestFactory(
        requester=pair.advisor,
        territory=unit,
        beneficiary__department=department,
        question=f"Peut-elle avoir une aide pour sa caution ? {question}",
    )
    services.social_request_answer(
        social_request=social_request,
        acting_user=professionals["correspondent_social_worker"],
        answer=f"Oui, le FSL : {answer}",
    )
    resource = services.resource_save(
        department=department,
        acting_user=None,
        categories=[ObstacleCategory.MOBILITY],
        name="Prêt de cyclomoteurs",
        provider="Mission locale du centre",
        description="Un cyclomoteur prêté pour trois mois, pour aller au travail.",
    )
    # A collective action organised by the advisors' agency, with a session held today, and the
    # case's person enrolled in it.
    programme = services.programme_create(
        department=department,
        acting_user=None,
        name="Club de remobilisation",
        organiser=agency,
        target_group="Demandeur·ses d'emploi de 25 à 35 ans",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=270),
        capacity=12,
    )
    session = services.programme_add_session(
        programme=programme,
        acting_user=None,
        starts_at=timezone.now(),
        topic="Accueil",
    )
    services.enrolment_create(
        programme=programme,
        case=case,
        acting_user=pair.advisor,
        person_agreed=True,
        agreement_method="oral",
    )
    person_request = rights.person_request_record(
        case=case,
        acting_user=pair.advisor,
        kind="objection",
        text="Je refuse que mon dossier serve aux statistiques",
        received_on=timezone.localdate(),
    )
    # An e-mail of the department that never left: « Envois en échec », « Renvoyer ».
    failed_email = OutboxMessage.objects.create(
        kind="email",
        key=f"world-failed:{department.pk}",
        department=department,
        payload={"to": ["collegue@exemple.fr"], "subject": "Binôme : rappel", "body": "Bonjour"},
        state="failed",
        attempts=MAX_ATTEMPTS,
        last_attempt_at=timezone.now(),
        last_error="ConnectionRefusedError [Errno 111] Connection refused",
    )
    # A CAF flow imported for the department, one of its lines waiting for a confirmation.
    flow_import = FlowImport.objects.create(
        department=department,
        paying_body="caf",
        kind="daily",
        file_name="flux-quotidien.xml",
        sha256="0" * 64,
        created_on=timezone.localdate(),
        to_confirm=1,
        pending=[
            {
                "beneficiary": case.beneficiary_id,
                "values": {
                    "rsa_paying_body": "caf",
                    "rsa_number": "0123456",
                    "rsa_role": "claimant",
                    "rsa_rights_and_duties": True,
                    "rsa_status": "paid",
                    "rsa_status_reason": "",
                    "rsa_status_on": None,
                    "homeless": False,
                    "moved_on": None,
                },
                "confirmed_by": None,
            }
        ],
    )
    oriented = CaseFactory(pair=pair, beneficiary__department=department, state=CaseState.ACTIVE)
    recommendation, decision = make_decided_case(oriented)
    today = timezone.localdate()
    delegations = {
        viewer: services.delegation_give(
            replaced=replaced,
            delegate=professionals[viewer],
            starts_on=today,
            ends_on=today + datetime.timedelta(days=7),
            reason="Congés",
            acting_user=replaced,
        )
        for viewer, replaced in (
            ("delegate_advisor", pair.advisor),
            ("delegate_social_worker", pair.social_worker),
        )
    }
    delegations["to_come"] = services.delegation_give(
        replaced=pair.social_worker,
        delegate=same_org.social_worker,
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=40),
        reason="Congés d'été",
        acting_user=pair.social_worker,
    )
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10), tick=False):
        delegations["expired_delegate_social_worker"] = services.delegation_give(
            replaced=pair.social_worker,
            delegate=professionals["expired_delegate_social_worker"],
            starts_on=today - datetime.timedelta(days=10),
            ends_on=today - datetime.timedelta(days=1),
            reason="Formation",
            acting_user=pair.social_worker,
        )
    return World(
        case=case,
        pair=pair,
        professionals=professionals,
        secrets=[social_note.text.split(", ")[-1], details, *secret_obstacles],
        shared=[shared],
        request_content=[question, answer],
        objects={
            **solo_objects,
            "social_request": social_request,
            "resource": resource,
            "programme": programme,
            "programme_session": session,
            "diagnostic": diagnostic,
            # The accord de partage covers housing: the advisor sees the first, not the others.
            "obstacle": shared_obstacle,
            "uncovered_obstacle": uncovered_obstacle,
            "disputed_obstacle": disputed_obstacle,
            "oriented_case": oriented,
            "recommendation": recommendation,
            "decision": decision,
            "appointment": appointment,
            "breach_report": breach_report,
            "action": action,
            "interview": interview,
            "person_request": person_request,
            "failed_email": failed_email,
            "flow_import": flow_import,
            "delegations": delegations,
            "partner_system": partner_system,
            "partner_key": partner_key,
        },
    )
