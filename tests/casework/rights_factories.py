"""A person whose file has a row in every table that can hold data about them."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from casework import rights, services
from casework.enums import CaseState, ShareCategory
from casework.models import Beneficiary, Case, CaseGroupObjectPermission
from orientation import services as orientation_services
from tests.casework.factories import CaseFactory, InterviewFactory, NoteFactory, SocialNoteFactory
from tests.orientation.factories import make_decided_case, obstacles_of


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
        occurred_on=datetime.date(2026, 3, 1),
        channel="phone",
        cases=[case],
        summary=token("pointbinome"),
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
    services.breach_report(
        case=case, acting_user=case.referent, reason=token("signalement"), appointment=appointment
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
            "action",
            "demande",
        )
    ]
    return CompleteFile(case=Case.objects.get(pk=case.pk), tokens=tokens)
