"""Collective actions (« actions collectives »): actions, sessions, enrolments, attendance."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from casework import journal, permissions
from casework.enums import OPEN_STATES, JournalChannel, PersonAgreementMethod
from casework.errors import CapacityReached, ConsentRequired, InvalidInput
from casework.journal import RequestInfo
from casework.models import Attendance, Case, Enrolment, Programme, ProgrammeSession
from casework.services._base import check_directory_admin, require_state, save
from partners.access import is_admin, is_auditor
from partners.errors import InvalidTransition
from partners.models import Department, Organisation, Professional


@transaction.atomic
def programme_create(
    *,
    department: Department,
    acting_user: Professional | None,
    name: str,
    organiser: Organisation,
    target_group: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    capacity: int,
    description: str = "",
) -> Programme:
    """A collective action of the department (the functional administrator records it)."""
    check_directory_admin(acting_user, department)
    if organiser.department_id != department.pk:
        raise InvalidInput("L'organisateur relève d'un autre département.", "organiser")
    if ends_on < starts_on:
        raise InvalidInput("La fin précède le début.", "ends_on")
    if capacity < 1:
        raise InvalidInput("Une action compte au moins une place.", "capacity")
    programme = Programme(
        department=department,
        name=name.strip(),
        organiser=organiser,
        target_group=target_group.strip(),
        description=description.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        capacity=capacity,
        created_by=acting_user,
    )
    save(programme, acting_user)
    return programme


@transaction.atomic
def programme_add_session(
    *,
    programme: Programme,
    acting_user: Professional | None,
    starts_at: datetime.datetime,
    topic: str,
    place: str = "",
) -> ProgrammeSession:
    check_directory_admin(acting_user, programme.department)
    day = timezone.localdate(starts_at)
    if not programme.starts_on <= day <= programme.ends_on:
        raise InvalidInput(
            "La séance a lieu entre le début et la fin de l'action "
            f"({programme.starts_on:%d/%m/%Y} – {programme.ends_on:%d/%m/%Y}).",
            "starts_at",
        )
    if not topic.strip():
        raise InvalidInput("Donnez le thème de la séance.", "topic")
    session = ProgrammeSession(
        programme=programme, starts_at=starts_at, topic=topic.strip(), place=place.strip()
    )
    save(session, acting_user)
    return session


@transaction.atomic
def enrolment_create(
    *,
    programme: Programme,
    case: Case,
    acting_user: Professional,
    person_agreed: bool,
    agreement_method: PersonAgreementMethod | str,
    info: RequestInfo | None = None,
) -> Enrolment:
    """Enrol the person in a collective action, from their case, with their agreement.

    The programme row is locked FOR UPDATE first, so that two enrolments for the last place
    are serialised: the second one sees the action full.
    """
    if not person_agreed:
        raise ConsentRequired("Recueillez d'abord l'accord de la personne pour cette inscription.")
    if agreement_method not in PersonAgreementMethod.values:
        raise InvalidInput(
            "Indiquez comment l'accord de la personne a été recueilli.", "agreement_method"
        )
    if not permissions.can_change_case(acting_user, case):
        raise InvalidTransition("Seul le binôme de la personne l'inscrit à une action.")
    require_state(case, OPEN_STATES, "inscrire la personne à une action collective")
    programme = (
        Programme.objects.select_for_update(of=("self",))
        .select_related("organiser")
        .get(pk=programme.pk)
    )
    if programme.department_id != case.pair.department_id:
        raise InvalidInput("Cette action relève d'un autre département.", "programme")
    if programme.ends_on < timezone.localdate():
        raise InvalidTransition("Cette action collective est terminée.")
    if Enrolment.objects.filter(programme=programme, case=case).exists():
        raise InvalidTransition("La personne est déjà inscrite à cette action.")
    if Enrolment.objects.filter(programme=programme).count() >= programme.capacity:
        raise CapacityReached(
            f"L'action « {programme.name} » est complète ({programme.capacity} places)."
        )
    now = timezone.now()
    enrolment = Enrolment(
        programme=programme,
        case=case,
        person_agreed_at=now,
        agreement_method=agreement_method,
        enrolled_by=acting_user,
        enrolled_at=now,
    )
    save(enrolment, acting_user)
    journal.record(
        department=case.pair.department,
        actor=acting_user,
        channel=JournalChannel.ENROLMENT,
        purpose=f"Inscription à l'action collective « {programme.name} », avec l'accord de la "
        "personne (identité transmise pour l'émargement)",
        case=case,
        recipient=programme.organiser.name,
        object_type="inscription",
        object_id=str(enrolment.pk),
        info=info,
    )
    return enrolment


def can_take_attendance(user: Professional, programme: Programme) -> bool:
    """The organiser's professionals (its subtree), and the department's administrator."""
    organisation = user.organisation
    if not user.is_active or organisation is None:
        return False
    if is_admin(user):
        return organisation.department_id == programme.department_id
    return not is_auditor(user) and organisation.path.startswith(programme.organiser.path)


@transaction.atomic
def attendance_record(
    *, session: ProgrammeSession, acting_user: Professional, present: Iterable[int]
) -> list[Attendance]:
    """The session's attendance sheet: every enrolled person, present or absent."""
    session = (
        ProgrammeSession.objects.select_for_update(of=("self",))
        .select_related("programme__organiser")
        .get(pk=session.pk)
    )
    if not can_take_attendance(acting_user, session.programme):
        raise InvalidTransition("L'émargement est tenu par l'organisateur de l'action.")
    if timezone.localdate(session.starts_at) > timezone.localdate():
        raise InvalidTransition("Cette séance n'a pas encore eu lieu.")
    present_ids = set(present)
    existing = {a.enrolment_id: a for a in Attendance.objects.filter(session=session)}
    sheet = []
    for enrolment in Enrolment.objects.filter(programme=session.programme).order_by("pk"):
        attendance = existing.get(enrolment.pk) or Attendance(session=session, enrolment=enrolment)
        is_present = enrolment.pk in present_ids
        if attendance.pk is None or attendance.present != is_present:
            attendance.present = is_present
            attendance.recorded_by = acting_user
            attendance.recorded_at = timezone.now()
            save(attendance, acting_user)
        sheet.append(attendance)
    return sheet
