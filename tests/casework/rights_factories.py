"""A person whose file has a row in every table that can hold data about them."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from casework import rights, services
from casework.enums import CaseState, MessageChannel, ShareCategory
from casework.journal import RequestInfo
from casework.messages import services as message_services
from casework.models import Beneficiary, Case, CaseGroupObjectPermission
from casework.space import messages as person_messages
from casework.space import services as space_services
from orientation import services as orientation_services
from partners.enums import Role
from tests.casework.factories import (
    CaseFactory,
    InterviewFactory,
    NoteFactory,
    SocialNoteFactory,
    SocialRequestFactory,
)
from tests.clock import FIRST_INTERVIEW, days_ago
from tests.orientation.factories import make_decided_case, obstacles_of
from tests.partners.factories import ProfessionalFactory


@dataclass
class CompleteFile:
    case: Case
    #: Values written in identity and free-text fields: none may survive a disposal.
    tokens: list[str] = field(default_factory=list)

    @property
    def beneficiary(self) -> Beneficiary:
        return self.case.beneficiary


def complete_file(tag: str = "QZX") -> CompleteFile:
    """Every kind of row about one person, through the services; ``tag`` marks every text."""

    def token(name: str) -> str:
        return f"{tag}{name}{tag}"

    case = CaseFactory(
        state=CaseState.ACTIVE,
        beneficiary__first_name=token("prenom"),
        beneficiary__last_name=token("nom"),
        beneficiary__france_travail_id=token("ft")[:20],
    )
    beneficiary = case.beneficiary
    for name in ("phone", "address", "city"):
        setattr(beneficiary, name, token(name)[:20])
    beneficiary.email = f"{token('mail').lower()}@exemple.fr"
    beneficiary.rsa_number = token("rsa")[:20]
    beneficiary.save()
    advisor, social_worker = case.pair.advisor, case.pair.social_worker
    InterviewFactory(case=case, summary=token("entretien"))
    NoteFactory(case=case, text=token("note"))
    SocialNoteFactory(case=case, text=token("notesociale"))
    services.agreement_record(
        case=case,
        categories=[ShareCategory.SOCIAL_SUMMARY, ShareCategory.OBSTACLES_HOUSING],
        how_obtained="oral_three_way",
        acting_user=social_worker,
    )
    services.pair_contact_record(
        pair=case.pair,
        author=advisor,
        occurred_on=days_ago(FIRST_INTERVIEW),
        channel="phone",
        cases=[case],
        summary=token("pointbinome"),
    )
    message_services.consent_give(
        beneficiary=beneficiary,
        channel=MessageChannel.SMS,
        address="06 12 34 56 78",
        acting_user=social_worker,
    )
    appointment = services.appointment_plan(
        case=case,
        acting_user=advisor,
        planned_at=timezone.now(),
        place=token("lieu"),
        with_whom=advisor,
    )
    services.appointment_record_outcome(
        appointment=appointment,
        acting_user=advisor,
        outcome="unexcused",
        person_explanation=token("explication"),
    )
    report = services.breach_report(
        case=case, acting_user=case.referent, reason=token("signalement"), appointment=appointment
    )
    services.breach_inform(report=report, acting_user=case.referent, info=RequestInfo())
    services.breach_observations(
        report=report, acting_user=case.referent, observations=token("observations")
    )
    recommendation, decision = make_decided_case(case)
    diagnostic = recommendation.diagnostic
    obstacle = obstacles_of(diagnostic)[0]
    action = orientation_services.action_add(
        case=case, acting_user=advisor, title=token("action"), owner="person", obstacle=obstacle
    )
    orientation_services.action_set_status(action=action, acting_user=advisor, status="done")
    orientation_services.obstacle_lift(
        obstacle=obstacle, acting_user=case.referent, person_agrees=True
    )
    case.refresh_from_db()
    rights.interview_rectify(
        interview=case.interviews.get(),
        acting_user=advisor,
        summary=token("entretiencorrige"),
        reason=token("motifrectification"),
    )
    rights.person_request_record(
        case=case,
        acting_user=advisor,
        kind="objection",
        text=token("demande"),
        received_on=timezone.localdate(),
    )
    # Axis 1 and collective actions: a one-off request about the person, answered; an
    # enrolment in a collective action, with a session signed.
    social_request = SocialRequestFactory(
        requester=advisor, beneficiary=beneficiary, question=token("question")
    )
    services.social_request_answer(
        social_request=social_request,
        acting_user=services.territory_correspondents(social_request.territory).get(),
        answer=token("reponse"),
    )
    programme = services.programme_create(
        department=case.pair.department,
        acting_user=None,
        name="Club",
        organiser=advisor.organisation,
        target_group="Tous publics",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        capacity=5,
    )
    session = services.programme_add_session(
        programme=programme, acting_user=None, starts_at=timezone.now(), topic="Accueil"
    )
    enrolment = services.enrolment_create(
        programme=programme,
        case=case,
        acting_user=advisor,
        person_agreed=True,
        agreement_method="oral",
    )
    services.attendance_record(session=session, acting_user=advisor, present=[enrolment.pk])
    services.delegation_give(
        replaced=advisor,
        delegate=ProfessionalFactory(role=Role.ADVISOR, organisation=advisor.organisation),
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=7),
        reason="Congés",
        acting_user=advisor,
    )
    access = space_services.space_invite(
        case=case, email=beneficiary.email, acting_user=social_worker
    )
    person_messages.message_send(access=access, text=token("messagepersonne"))
    # The person's comment on their own action, from their space.
    orientation_services.action_person_mark(
        access=access, action=action, done=True, comment=token("commentaireaction")
    )
    space_services.code_send(contact=beneficiary.email)
    services.case_suspend(case=case, reason="hospital", acting_user=social_worker)
    group = Group.objects.create(name=f"Groupe {tag}")
    CaseGroupObjectPermission.objects.create(
        group=group, content_object=case, permission=Permission.objects.get(codename="view_case")
    )
    tokens = [
        token(name)
        for name in (
            "prenom",
            "nom",
            "entretien",
            "entretiencorrige",
            "motifrectification",
            "note",
            "notesociale",
            "pointbinome",
            "lieu",
            "explication",
            "signalement",
            "observations",
            "action",
            "demande",
            "messagepersonne",
            "commentaireaction",
            "question",
            "reponse",
        )
    ]
    return CompleteFile(case=Case.objects.get(pk=case.pk), tokens=tokens)
