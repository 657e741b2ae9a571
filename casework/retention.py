"""The life of a person's file, per the department's settings (CNIL reference frameworks for
social action, 2021 and 2023):

1. base active: while an accompagnement is open, and for ``retention_active_years`` after the
   last contact;
2. then a notice to the last référent, who has ``notice_delay_days`` to say a contact happened
   (any new contact or open accompagnement cancels the notice);
3. then the intermediate archive: only the auditor (the DPO) opens the file, for disputes;
4. after ``retention_archive_years``, final disposal, only once the Archives départementales'
   visa is recorded: identity replaced, free text erased, rows (and so every count) kept.

``retention_run`` is the nightly task's work; ``retention_schedule`` lists who moves when.
The journal and the audit trail are not touched: they hold no identity or free text.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import DateField, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from casework.enums import OPEN_STATES, FileStage, SocialRequestState
from casework.errors import InvalidInput
from casework.models import (
    Beneficiary,
    Case,
    DisposalApproval,
    SentMessage,
    SocialRequest,
    SpaceAccess,
)
from casework.personal_data import ERASED, REGISTRY, rows_about
from casework.services._base import save
from partners import outbox
from partners.audit import acting_as, audited_bulk
from partners.enums import Role
from partners.errors import InvalidTransition
from partners.models import Department, OutboxMessage, Professional

#: How far ahead ``retention --dry-run`` looks by default.
DEFAULT_HORIZON_DAYS = 90


def with_last_contact(queryset: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    """Annotate ``last_contact`` (the latest end, refusal, contact or interview of any of the
    person's accompagnements, or one-off request about them; the file's creation without any)
    and ``has_open_case`` (an accompagnement open, or a one-off request awaiting its answer)."""
    contact = Coalesce(
        "closed_on", "refused_on", "last_contact_on", "last_interview_on", "proposed_on"
    )
    latest_case = (
        Case.objects.filter(beneficiary=OuterRef("pk"))
        .annotate(contact=contact)
        .values("beneficiary")
        .annotate(latest=Max("contact"))
        .values("latest")
    )
    latest_request = (
        SocialRequest.objects.filter(beneficiary=OuterRef("pk"))
        .values("beneficiary")
        .annotate(latest=Max(TruncDate("created_at")))
        .values("latest")
    )
    created = TruncDate("created_at")
    return queryset.annotate(
        # Each side falls back on the creation date, so that Greatest never meets a NULL
        # (PostgreSQL would skip it, SQLite would return NULL).
        last_contact=Greatest(
            Coalesce(Subquery(latest_case, output_field=DateField()), created),
            Coalesce(Subquery(latest_request, output_field=DateField()), created),
            output_field=DateField(),
        ),
        has_open_case=Exists(Case.objects.filter(beneficiary=OuterRef("pk"), state__in=OPEN_STATES))
        | Exists(
            SocialRequest.objects.filter(beneficiary=OuterRef("pk"), state=SocialRequestState.OPEN)
        ),
    )


def latest_start(today: datetime.date, years: int) -> datetime.date:
    """The latest day whose ``years``-th anniversary (as ``relativedelta`` counts it) is due by
    ``today``: 29 February + 2 years is 28 February, so on 28 February 2030 it is 29 February 2028,
    not ``today - relativedelta(years=2)`` (28 February 2028)."""
    start = today - relativedelta(years=years)
    following = start + datetime.timedelta(days=1)
    return following if following + relativedelta(years=years) <= today else start


def notice_due_on(department: Department, last_contact: datetime.date) -> datetime.date:
    return last_contact + relativedelta(years=department.retention_active_years)


def archive_due_on(department: Department, notice_sent_on: datetime.date) -> datetime.date:
    return notice_sent_on + datetime.timedelta(days=department.notice_delay_days)


def disposal_due_on(department: Department, archived_on: datetime.date) -> datetime.date:
    return archived_on + relativedelta(years=department.retention_archive_years)


@dataclass(frozen=True)
class Move:
    """The next step of one person's file."""

    beneficiary_id: int
    stage: str
    next_stage: str
    due_on: datetime.date
    last_contact: datetime.date
    waiting_for_visa: bool = False

    @property
    def label(self) -> str:
        step = {
            FileStage.NOTICE: "avis au référent",
            FileStage.ARCHIVED: "archive intermédiaire",
            FileStage.DISPOSED: "élimination définitive",
        }[FileStage(self.next_stage)]
        visa = " (attend le visa des Archives départementales)" if self.waiting_for_visa else ""
        return (
            f"Personne n°{self.beneficiary_id} : {step} le {self.due_on:%d/%m/%Y}{visa}"
            f" — dernier contact le {self.last_contact:%d/%m/%Y}"
        )


def retention_schedule(
    department: Department, *, today: datetime.date | None = None, horizon_days: int = 0
) -> Iterator[Move]:
    """Who moves, to what, and when: every move due by ``today + horizon_days``."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=horizon_days)
    people = with_last_contact(
        Beneficiary.objects.filter(department=department).exclude(file_stage=FileStage.DISPOSED)
    ).order_by("pk")
    for person in people.iterator(chunk_size=2000):
        move = next_move(department, person)
        if move is not None and move.due_on <= until:
            yield move


def next_move(department: Department, person: Beneficiary) -> Move | None:
    """``person`` is annotated by :func:`with_last_contact`."""
    if person.has_open_case:  # type: ignore[attr-defined]
        return None
    stage = FileStage(person.file_stage)
    if stage == FileStage.ACTIVE:
        next_stage, due = FileStage.NOTICE, notice_due_on(department, person.last_contact)  # type: ignore[attr-defined]
    elif stage == FileStage.NOTICE and person.notice_sent_on is not None:
        next_stage, due = FileStage.ARCHIVED, archive_due_on(department, person.notice_sent_on)
    elif stage == FileStage.ARCHIVED and person.archived_on is not None:
        next_stage, due = FileStage.DISPOSED, disposal_due_on(department, person.archived_on)
    else:
        return None
    return Move(
        beneficiary_id=person.pk,
        stage=stage,
        next_stage=next_stage,
        due_on=due,
        last_contact=person.last_contact,  # type: ignore[attr-defined]
        waiting_for_visa=stage == FileStage.ARCHIVED and person.disposal_approval_id is None,
    )


@dataclass
class RetentionReport:
    notices: list[int] = field(default_factory=list)
    notices_cancelled: list[int] = field(default_factory=list)
    archived: list[int] = field(default_factory=list)
    disposed: list[int] = field(default_factory=list)
    waiting_for_visa: list[int] = field(default_factory=list)


@transaction.atomic
def retention_run(
    *, today: datetime.date | None = None, department: Department | None = None
) -> RetentionReport:
    """The nightly task: notices, archiving, and the disposals the Archives have approved.

    Idempotent: a second run the same day finds nothing more to do.
    """
    today = today or timezone.localdate()
    report = RetentionReport()
    departments = [department] if department else Department.objects.order_by("pk")
    for dept in departments:
        _cancel_notices(dept, today, report)
        for move in list(retention_schedule(dept, today=today)):
            if move.next_stage == FileStage.NOTICE:
                _send_notice(dept, move.beneficiary_id, today, report)
            elif move.next_stage == FileStage.ARCHIVED:
                _archive(move.beneficiary_id, today, report)
            elif move.waiting_for_visa:
                report.waiting_for_visa.append(move.beneficiary_id)
            else:
                beneficiary_dispose(beneficiary_id=move.beneficiary_id, today=today)
                report.disposed.append(move.beneficiary_id)
    return report


def set_stage(beneficiary_id: int, **values: object) -> Beneficiary:
    """Move one file (the demo uses it to show an archive; the run below for the rules)."""
    person = Beneficiary.objects.select_for_update().get(pk=beneficiary_id)
    for name, value in values.items():
        setattr(person, name, value)
    save(person, None)
    return person


def _cancel_notices(department: Department, today: datetime.date, report: RetentionReport) -> None:
    """A contact or a new accompagnement since the notice: the file stays in the active base."""
    threshold = latest_start(today, department.retention_active_years)
    noticed = with_last_contact(
        Beneficiary.objects.filter(department=department, file_stage=FileStage.NOTICE)
    ).filter(Q(has_open_case=True) | Q(last_contact__gt=threshold))
    for pk in noticed.values_list("pk", flat=True):
        set_stage(pk, file_stage=FileStage.ACTIVE, notice_sent_on=None)
        report.notices_cancelled.append(pk)


def _last_referent(beneficiary_id: int) -> Professional | None:
    case = (
        Case.objects.filter(beneficiary_id=beneficiary_id)
        .select_related("referent")
        .order_by("-proposed_on", "-pk")
        .first()
    )
    return case.referent if case is not None else None


def _send_notice(
    department: Department, beneficiary_id: int, today: datetime.date, report: RetentionReport
) -> None:
    set_stage(beneficiary_id, file_stage=FileStage.NOTICE, notice_sent_on=today)
    report.notices.append(beneficiary_id)
    referent = _last_referent(beneficiary_id)
    if referent is None or not referent.is_active:
        return
    archive_on = archive_due_on(department, today)
    message = (
        "Bonjour,\n\n"
        f"Le dossier de la personne n°{beneficiary_id}, que vous avez accompagnée, n'a plus "
        f"de contact depuis {department.retention_active_years} ans. Il passera en archive "
        f"intermédiaire le {archive_on:%d/%m/%Y} : seul·e le ou la DPO pourra alors l'ouvrir.\n"
        "Si vous avez revu la personne, enregistrez ce contact (ou proposez un nouvel "
        "accompagnement) avant cette date.\n\n"
        f"{settings.BINOME_SITE_URL}/\n"
    )
    outbox.enqueue_email(
        key=f"retention-notice:{beneficiary_id}:{today.isoformat()}",
        to=[referent.email],
        subject="Binôme : un dossier passera bientôt en archive intermédiaire",
        body=message,
        department=department,
    )


def _archive(beneficiary_id: int, today: datetime.date, report: RetentionReport) -> None:
    set_stage(beneficiary_id, file_stage=FileStage.ARCHIVED, archived_on=today)
    report.archived.append(beneficiary_id)


def disposal_candidates(
    department: Department, today: datetime.date | None = None
) -> QuerySet[Beneficiary]:
    """Archived files whose archive duration has ended and that wait for the Archives' visa."""
    today = today or timezone.localdate()
    archived_before = latest_start(today, department.retention_archive_years)
    return Beneficiary.objects.filter(
        department=department,
        file_stage=FileStage.ARCHIVED,
        disposal_approval__isnull=True,
        archived_on__lte=archived_before,
    ).order_by("pk")


@transaction.atomic
def disposal_approval_record(
    *,
    department: Department,
    acting_user: Professional,
    visa_reference: str,
    approved_on: datetime.date,
    beneficiary_ids: list[int],
) -> DisposalApproval:
    """Record the Archives départementales' visa for a list of files (the « bordereau »)."""
    if acting_user.role != Role.AUDITOR:
        raise InvalidTransition("Seul·e le ou la DPO enregistre un visa d'élimination.")
    if not visa_reference.strip():
        raise InvalidInput("Indiquez la référence du visa des Archives.", "visa_reference")
    if approved_on > timezone.localdate():
        raise InvalidInput("Le visa ne peut pas être daté du futur.", "approved_on")
    due = set(disposal_candidates(department).values_list("pk", flat=True))
    if not beneficiary_ids:
        raise InvalidInput("Choisissez les dossiers couverts par ce visa.", "beneficiaries")
    if not set(beneficiary_ids) <= due:
        raise InvalidTransition(
            "Certains dossiers choisis ne sont pas (ou plus) en attente d'élimination."
        )
    approval = DisposalApproval(
        department=department,
        visa_reference=visa_reference.strip(),
        approved_on=approved_on,
        recorded_by=acting_user,
    )
    save(approval, acting_user)
    for pk in sorted(beneficiary_ids):
        person = Beneficiary.objects.select_for_update().get(pk=pk)
        person.disposal_approval = approval
        save(person, acting_user)
    return approval


@transaction.atomic
def beneficiary_dispose(*, beneficiary_id: int, today: datetime.date) -> Beneficiary:
    """Final disposal: identity replaced, free text erased; every row (and count) kept."""
    person = Beneficiary.objects.select_for_update().get(pk=beneficiary_id)
    approval = person.disposal_approval
    if person.file_stage != FileStage.ARCHIVED or approval is None:
        raise InvalidTransition("Un dossier n'est éliminé qu'en archive et avec le visa.")
    person.first_name = "Personne"
    person.last_name = f"éliminée n°{person.pk}"
    # The year of birth is kept for age statistics; the day and month are not.
    person.birth_date = datetime.date(person.birth_date.year, 1, 1)
    for name in ("france_travail_id", "rsa_number", "phone", "email", "address"):
        setattr(person, name, "")
    person.postal_code = person.city = ""
    person.file_stage, person.disposed_on = FileStage.DISPOSED, today
    description = f"élimination du dossier de la personne n°{person.pk}"
    for entry in REGISTRY.values():
        if entry.model is Beneficiary or not entry.free_text:
            continue
        with audited_bulk(model=entry.model, actor=None, description=description):
            rows = rows_about(entry, person.pk).order_by()
            for name in entry.free_text:
                entry.model._base_manager.filter(pk__in=rows.values("pk")).exclude(
                    **{name: ""}
                ).update(**{name: ERASED})
    # The person's contact and FranceConnect identity leave the accesses to their space, which
    # end if one was still in force (withdrawn in the name of whoever recorded the visa).
    with audited_bulk(model=SpaceAccess, actor=None, description=description):
        accesses = SpaceAccess.objects.filter(beneficiary_id=person.pk).order_by()
        accesses.filter(withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=approval.recorded_by
        )
        accesses.exclude(email="").update(email=ERASED)
        accesses.exclude(phone="").update(phone=ERASED)
        accesses.exclude(franceconnect_sub="").update(franceconnect_sub="")
    # The texts of the messages sent to the person (a place, a number) leave the outbox: the
    # messages themselves stay, kind and channel only.
    OutboxMessage.objects.filter(
        key__in=SentMessage.objects.filter(case__beneficiary_id=person.pk).values("outbox_key")
    ).delete()
    with acting_as(None):
        save(person, None)
    return person
