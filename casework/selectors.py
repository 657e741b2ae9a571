"""Reads of the casework app. Secret tables are read only by the ``social_*`` functions here."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, cast

from django.db import connections, router
from django.db.models import (
    Count,
    Exists,
    F,
    Field,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from casework.enums import ACTIVE_FILE_STAGES, JournalChannel
from casework.journal import PERSON_MESSAGE
from casework.models import (
    Appointment,
    Attendance,
    Beneficiary,
    BreachReport,
    Case,
    CasePairPeriod,
    Delegation,
    Enrolment,
    InformationShare,
    Interview,
    MessageConsent,
    Note,
    PairContact,
    PersonMessage,
    PersonMessageKind,
    PersonRequest,
    Programme,
    ProgrammeSession,
    Rectification,
    Resource,
    SentMessage,
    SocialNote,
    SocialRequest,
    SpaceAccess,
    overdue_threshold,
)
from partners.access import in_pair, is_admin, is_supervisor
from partners.enums import PAIR_ROLES
from partners.models import Organisation, OutboxMessage, Professional


def professional_overdue_threshold(professional: Professional) -> datetime.date:
    return overdue_threshold(professional.organisation.department)  # type: ignore[union-attr]


@dataclass(frozen=True)
class CaseloadFilters:
    state: str = ""
    overdue_only: bool = False
    referent_only: bool = False  # « mes personnes comme référent·e »
    search: str = ""
    to_review_only: bool = False  # « à examiner »: an event of the CAF/MSA flow


def caseload(professional: Professional, filters: CaseloadFilters) -> QuerySet[Case]:
    """The portefeuille: the cases of the professional's pairs, overdue first."""
    visible = Case.objects.visible_to(professional)
    in_state = visible.filter(state=filters.state) if filters.state else visible.open()
    cases = in_state.with_overdue(professional_overdue_threshold(professional))
    if filters.overdue_only:
        cases = cases.filter(overdue=True)
    if filters.referent_only:
        cases = cases.filter(referent=professional)
    if filters.to_review_only:
        cases = cases.exclude(review_reason="")
    for word in filters.search.split():
        cases = cases.filter(
            Q(beneficiary__last_name__icontains=word)
            | Q(beneficiary__first_name__icontains=word)
            | Q(beneficiary__france_travail_id__iexact=word)
        )
    return cases.order_by("-overdue", "beneficiary__last_name", "beneficiary__first_name", "pk")


@dataclass(slots=True)
class CaseloadRow:
    """A row of the portefeuille (``casework/_caseload_rows.jinja``): what it shows, read as values
    (``caseload_values``). A model instance per row, with the person's and the last
    interviewer's, cost as much as the rest of the rows' rendering (docs/performance.md §1)."""

    #: Whose choices ``state``, ``review_reason`` and ``orientation_path`` are (the rows'
    #: ``display`` filter).
    model: ClassVar[type[Case]] = Case

    pk: int
    referent_id: int
    state: str
    overdue: bool
    review_reason: str
    person_first_name: str
    person_last_name: str
    last_interview_on: datetime.date | None
    interviewer_first_name: str | None
    interviewer_last_name: str | None
    next_appointment_on: datetime.date | None
    orientation_path: str
    next_action_due_on: datetime.date | None
    started_on: datetime.date | None
    planned_end_on: datetime.date | None
    six_month_review_on: datetime.date | None
    milestones_due: list[str] = field(default_factory=list)

    @property
    def interviewer_name(self) -> str:
        """As ``Professional.full_name``."""
        names = (self.interviewer_first_name, self.interviewer_last_name)
        return " ".join(name for name in names if name)


#: The columns ``caseload_values`` reads: a ``CaseloadRow`` but what is computed in Python.
CASELOAD_ROW_VALUES = tuple(f.name for f in fields(CaseloadRow) if f.name != "milestones_due")


def caseload_values(cases: QuerySet[Case]) -> QuerySet[Case, dict[str, Any]]:
    """``caseload``'s cases as the values of a ``CaseloadRow`` each (dictionaries)."""
    named: QuerySet[Case] = cases.annotate(
        person_first_name=F("beneficiary__first_name"),
        person_last_name=F("beneficiary__last_name"),
        interviewer_first_name=F("last_interview_by__first_name"),
        interviewer_last_name=F("last_interview_by__last_name"),
    )
    rows = named.values(*CASELOAD_ROW_VALUES)  # the stubs type values(*names) as Any
    return cast("QuerySet[Case, dict[str, Any]]", rows)


def case_for(user: Professional, pk: int) -> Case:
    """One case the user may open, with what its page shows; Case.DoesNotExist otherwise."""
    case = (
        Case.objects.visible_to(user)
        .select_related(
            "beneficiary",
            "pair__advisor__organisation",
            "pair__social_worker__organisation",
            "pair__department",
        )
        .get(pk=pk)
    )
    # The référent·e and the last interviewer are mostly members of the binôme: taken from the
    # pair rather than joined again (3 models fewer a case); anyone else in one statement.
    _from_the_pair(case, [case], "referent", "last_interview_by")
    # ``with_overdue``'s rule on the one case read, in Python rather than in its statement
    case.overdue = case.overdue_on(professional_overdue_threshold(user))  # type: ignore[attr-defined]
    return case


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # "interview", "note", "pair_contact", "social_note", "enrolment", "person_act"
    day: datetime.date
    at: datetime.datetime
    obj: Any


#: The rarer parts of a case page: (name, model, the field naming the case or its person, whose,
#: a field the row must have set or ``None``). ``case_parts`` says which of them have a row; the
#: page reads only those. ``pair_changes``: a binôme period that ended, which a handover leaves
#: (the page lists the successive binômes only when there were several).
CASE_PARTS: tuple[tuple[str, type[Model], str, str, str | None], ...] = (
    ("space_access", SpaceAccess, "beneficiary", "person", None),
    ("message_consents", MessageConsent, "beneficiary", "person", None),
    ("sent_messages", SentMessage, "case", "case", None),
    ("breach_reports", BreachReport, "case", "case", None),
    ("origin_requests", SocialRequest, "case", "case", None),
    ("pair_contacts", PairContact.cases.through, "case", "case", None),
    ("enrolments", Enrolment, "case", "case", None),
    ("person_messages", PersonMessage, "case", "case", None),
    ("pair_changes", CasePairPeriod, "case", "case", "ended_on"),
)
ALL_CASE_PARTS = frozenset(name for name, *_ in CASE_PARTS)


def case_parts(case: Case) -> frozenset[str]:
    """Which of the case page's rarer parts (``CASE_PARTS``) have a row for the case or its person,
    in one statement of ``EXISTS``. A part with none is not read: its own statement would find
    nothing, and each cost the page's Python about as much as this one does for all eight
    (docs/performance.md §1). Written by hand: the ORM would spend on building eight subqueries
    what the skipped statements save. Each ``EXISTS`` is broader than its part's own statement
    (no filter on withdrawal, dates or kind), so a part that would show something is always read.
    """
    connection = connections[router.db_for_read(Case)]
    quote = connection.ops.quote_name
    clauses, params = [], []
    for _name, model, field_name, whose, set_field in CASE_PARTS:
        table = quote(model._meta.db_table)
        where = f"{quote(_column(model, field_name))} = %s"
        if set_field is not None:
            where += f" AND {quote(_column(model, set_field))} IS NOT NULL"
        clauses.append(f"EXISTS (SELECT 1 FROM {table} WHERE {where})")  # noqa: S608
        params.append(case.pk if whose == "case" else case.beneficiary_id)
    with connection.cursor() as cursor:
        # Names from the models' metadata, quoted; the values are parameters.
        cursor.execute(f"SELECT {', '.join(clauses)}", params)
        found = cursor.fetchone()
    return frozenset(name for (name, *_), present in zip(CASE_PARTS, found, strict=True) if present)


def _column(model: type[Model], field_name: str) -> str:
    return cast(str, cast("Field[Any, Any]", model._meta.get_field(field_name)).column)


def timeline(
    case: Case, *, member: bool, social: bool, parts: frozenset[str] = ALL_CASE_PARTS
) -> list[TimelineItem]:
    """The case's history, newest first, for a member of its pair (checked by the caller).

    Members see interviews, notes and points binôme; with ``social`` (the social worker of the
    case, ``permissions.can_read_social_notes``) also the social notes. ``parts``: what
    ``case_parts`` found (the others are not read).
    """
    if not member:
        return []
    interviews = list(Interview.objects.filter(case=case))
    notes = list(Note.objects.filter(case=case))
    _from_the_pair(case, [*interviews, *notes], "author")
    items = [TimelineItem("interview", i.occurred_on, i.created_at, i) for i in interviews]
    items += [TimelineItem("note", n.created_at.date(), n.created_at, n) for n in notes]
    if "pair_contacts" in parts:
        items += [
            TimelineItem("pair_contact", c.occurred_on, c.created_at, c)
            for c in PairContact.objects.filter(cases=case).select_related("author")
        ]
    if "enrolments" in parts:
        items += [
            TimelineItem("enrolment", e.enrolled_at.date(), e.enrolled_at, e)
            for e in enrolments_of(case)
        ]
    # The person's own acts in their space (none without one): the journal row says what,
    # never secret content.
    if "space_access" in parts:
        items += [
            TimelineItem("person_act", timezone.localdate(row.at), row.at, row)
            for row in journal_rows_of_case(case)
            .filter(channel=JournalChannel.PERSON)
            .exclude(object_type=PERSON_MESSAGE)
        ]
    # Their messages and requests to change an appointment, in their own words.
    if "person_messages" in parts:
        items += [
            TimelineItem("person_message", timezone.localdate(m.sent_at), m.sent_at, m)
            for m in PersonMessage.objects.filter(case=case).select_related("appointment")
        ]
    if social:
        items += [
            TimelineItem("social_note", n.created_at.date(), n.created_at, n)
            for n in social_notes(case)
        ]
    return sorted(items, key=lambda item: (item.day, item.at), reverse=True)


def _from_the_pair(case: Case, rows: Sequence[Model], *relations: str) -> None:
    """Set ``relations`` (foreign keys to professionals) of ``rows`` from the case's binôme as
    ``case_for`` read it, rather than joined on every row (a dozen interviews with their author
    cost ~2 million instructions more); professionals from outside it (a former binôme, a
    remplaçant·e, a referent of imported data) read in one statement."""
    known: dict[int, Professional] = {member.pk: member for member in case.pair.members}
    for relation in ("referent", "last_interview_by"):  # once set on the case, known too
        if getattr(case, f"{relation}_id") is not None and getattr(Case, relation).is_cached(case):
            professional = getattr(case, relation)
            known[professional.pk] = professional
    wanted = {getattr(row, f"{relation}_id") for row in rows for relation in relations}
    others = wanted - known.keys() - {None}
    if others:
        known.update(Professional.objects.in_bulk(others))
    for row in rows:
        for relation in relations:
            pk = getattr(row, f"{relation}_id")
            if pk is not None:
                setattr(row, relation, known[pk])


def social_notes(case: Case) -> QuerySet[SocialNote]:
    """Secret: call only after ``permissions.can_read_social_notes``."""
    return SocialNote.objects.filter(case=case).select_related("author").order_by("-created_at")


def interview_dates(case: Case) -> list[datetime.date]:
    """Dates only (what a supervisor may see), newest first."""
    return list(
        Interview.objects.filter(case=case)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
    )


def likely_duplicates(
    *,
    department_id: int,
    first_name: str,
    last_name: str,
    birth_date: datetime.date | None,
    france_travail_id: str,
) -> list[Beneficiary]:
    """People already recorded with the same France Travail identifier, or names + birth date."""
    match = Q(pk__in=[])
    if france_travail_id.strip():
        match |= Q(france_travail_id__iexact=france_travail_id.strip())
    if birth_date is not None:
        match |= Q(
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            birth_date=birth_date,
        )
    return list(
        Beneficiary.objects.filter(
            match, department_id=department_id, file_stage__in=ACTIVE_FILE_STAGES
        ).order_by("pk")[:5]
    )


def journal_rows_of_case(case: Case) -> QuerySet[InformationShare]:
    """The case's journal rows, none older than the case (``journal.record`` dates each row at
    its writing): on PostgreSQL the planner skips the journal's months before it instead of
    probing every monthly partition (docs/performance.md, section 5)."""
    proposed = timezone.make_aware(datetime.datetime.combine(case.proposed_on, datetime.time.min))
    return InformationShare.objects.filter(case=case, at__gte=min(case.created_at, proposed))


def case_journal(case: Case) -> QuerySet[InformationShare]:
    return journal_rows_of_case(case).select_related("actor").order_by("-at", "-seq")


@dataclass(frozen=True)
class JournalFilters:
    #: The people whose rows are searched (None: everyone; empty: no one matched).
    people: list[int] | None = None
    professional_id: int | None = None
    organisation: Organisation | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    channel: str = ""


def journal_search(department_id: int, filters: JournalFilters) -> QuerySet[InformationShare]:
    """The auditor's search in their department's journal."""
    rows = InformationShare.objects.filter(department_id=department_id)
    if filters.people is not None:
        rows = rows.filter(beneficiary_id__in=filters.people)
    if filters.professional_id:
        rows = rows.filter(actor_id=filters.professional_id)
    if filters.organisation is not None:
        subtree = Organisation.objects.subtree_of(filters.organisation).values("pk")
        rows = rows.filter(actor__organisation__in=subtree)
    if filters.start:
        rows = rows.filter(at__date__gte=filters.start)
    if filters.end:
        rows = rows.filter(at__date__lte=filters.end)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    newest_first: tuple[Any, ...] = ("-at", "-seq")
    if filters.people is not None:
        # A few people's rows (PERSON_SEARCH_LIMIT at most): read through the index on
        # (beneficiary, at), then sorted. Ordered by « at » itself, PostgreSQL walks the index on
        # (department, at) of every month backwards until it finds their rows (the whole journal
        # when a month has none of them: 205–330 ms for a common name at 100,000 people, against
        # 9–12 ms by the people's index). Adding nothing to « at » orders the same rows the same
        # way but no index gives that order.
        newest_first = ((F("at") + datetime.timedelta(0)).desc(), "-seq")
    return rows.select_related("actor").order_by(*newest_first)


def rights_changes(department_id: int) -> QuerySet[InformationShare]:
    """The department's changes of who may see what (« Attribution » and « Retrait de
    droits »): accounts, roles, binômes, handovers, remplacements; newest first."""
    return (
        InformationShare.objects.filter(
            department_id=department_id,
            channel__in=[JournalChannel.GRANT, JournalChannel.REVOKE],
        )
        .select_related("actor")
        .order_by("-at", "-seq")
    )


def appointments_of(case: Case) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(case=case)
        .select_related("with_whom", "outcome_recorded_by")
        # the diagnostic a tripartite appointment produced (orientation's relation to it)
        .prefetch_related("diagnostics")
        .order_by("-planned_at", "-pk")
    )


def space_access_of(case: Case) -> SpaceAccess | None:
    """The person's invitation into their space in force, if any (the case page shows it)."""
    return SpaceAccess.objects.active().filter(beneficiary_id=case.beneficiary_id).first()


#: How many messages to the person the case page lists (the newest).
SENT_MESSAGES_SHOWN = 5


def message_consents_of(case: Case) -> list[MessageConsent]:
    """The person's yes to messages in force, by channel (the case page shows them)."""
    return list(
        MessageConsent.objects.in_force()
        .filter(beneficiary_id=case.beneficiary_id)
        .order_by("channel")
    )


def sent_messages_of(case: Case) -> list[SentMessage]:
    """The newest messages to the person, with their delivery status and ``left_at``, when the
    outbox handed them over (before any delivery report)."""
    left = OutboxMessage.objects.filter(key=OuterRef("outbox_key")).values("sent_at")[:1]
    return list(
        SentMessage.objects.filter(case=case)
        .annotate(left_at=Subquery(left))
        .order_by("-created_at", "-pk")[:SENT_MESSAGES_SHOWN]
    )


def upcoming_appointments(case: Case, parts: frozenset[str] = ALL_CASE_PARTS) -> list[Appointment]:
    """The case's next three appointments from today on (in France), each saying whether the
    person asked to change it (only when they wrote any message: ``case_parts``)."""
    change_asked: Any = Value(False)
    if "person_messages" in parts:
        change_asked = Exists(
            PersonMessage.objects.filter(
                appointment=OuterRef("pk"), kind=PersonMessageKind.APPOINTMENT_CHANGE
            )
        )
    appointments: list[Appointment] = list(
        Appointment.objects.filter(case=case, outcome="", planned_at__gte=_start_of_today())
        .annotate(change_asked=change_asked)
        .order_by("planned_at")[:3]
    )
    _from_the_pair(case, appointments, "with_whom")
    return appointments


def _start_of_today() -> datetime.datetime:
    """Midnight today in France: a moment on or after it falls on today or later there."""
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))


def pair_periods_of(case: Case) -> list[CasePairPeriod]:
    """The binômes that followed the case, oldest first."""
    return list(
        case.pair_periods.select_related("pair__advisor", "pair__social_worker").order_by(
            "started_on", "pk"
        )
    )


def breach_reports_of(case: Case) -> list[BreachReport]:
    return list(
        BreachReport.objects.filter(case=case).select_related("reported_by").order_by("reported_at")
    )


def rectifications_of(case: Case) -> list[Rectification]:
    """The corrections recorded on the person's file, newest first (for the case's binôme)."""
    return list(
        Rectification.objects.filter(beneficiary_id=case.beneficiary_id)
        .select_related("recorded_by__organisation")
        .order_by("-recorded_at", "-pk")
    )


def person_requests_of(case: Case) -> list[PersonRequest]:
    return list(
        PersonRequest.objects.filter(beneficiary_id=case.beneficiary_id).order_by(
            "-received_on", "-pk"
        )
    )


#: At most this many people in a DPO search: a search is narrowed, not browsed.
PERSON_SEARCH_LIMIT = 50


def person_search(department_id: int, text: str) -> list[Beneficiary]:
    """The DPO's search of the department's people, archived files included (disputes)."""
    words = Q()
    for word in text.split()[:4]:
        words &= Q(last_name__icontains=word) | Q(first_name__icontains=word)
    match = words | Q(france_travail_id__iexact=text.strip())
    return list(
        Beneficiary.objects.filter(match, department_id=department_id).order_by(
            "last_name", "first_name", "pk"
        )[:PERSON_SEARCH_LIMIT]
    )


def person_requests_for_dpo(user: Professional) -> QuerySet[PersonRequest]:
    return (
        PersonRequest.objects.for_dpo(user)
        .select_related("recorded_by__organisation", "answered_by")
        .order_by("state", "received_on", "pk")
    )


def social_requests_of(user: Professional) -> QuerySet[SocialRequest]:
    """The one-off requests a professional sees (made, or to answer), pending first, the
    earliest due first."""
    return (
        SocialRequest.objects.visible_to(user)
        .select_related("beneficiary", "territory", "requester__organisation", "answered_by")
        .order_by(
            F("closed_at").asc(nulls_first=True),  # pending ones (not closed) first
            "due_on",
            "pk",
        )
    )


def social_request_for(user: Professional, pk: int) -> SocialRequest:
    """One request the user may open; SocialRequest.DoesNotExist otherwise (the same 404)."""
    return (
        SocialRequest.objects.visible_to(user)
        .select_related(
            "beneficiary__department",
            "territory",
            "requester__organisation",
            "answered_by__organisation",
            "closed_by",
            "case",
        )
        .get(pk=pk)
    )


def request_territories(department_id: int) -> QuerySet[Organisation]:
    """The organisations of the department for which at least one active social correspondent
    answers (the organisation itself or one below it)."""
    answering = Professional.objects.filter(
        is_social_correspondent=True,
        is_active=True,
        organisation__path__startswith=OuterRef("path"),
    )
    return Organisation.objects.filter(department_id=department_id).filter(Exists(answering))


def origin_requests_of(case: Case) -> list[SocialRequest]:
    """The one-off requests the case came from (what the case page says about its origin)."""
    return list(SocialRequest.objects.filter(case=case).order_by("created_at"))


def directory_search(
    department_id: int, *, category: str = "", text: str = ""
) -> QuerySet[Resource]:
    """« Que trouve-t-on ici pour cette difficulté ? »: the department's offer, by category and
    words."""
    return (
        Resource.objects.of_department(department_id)
        .search(category=category, text=text)
        .order_by("name", "pk")
    )


#: Supervisors' statistics hide the counts of people below this number.
SMALL_COUNT = 5


def people_count(count: int) -> str:
    """A count of people as shown in statistics: « moins de 5 » below five."""
    return str(count) if count >= SMALL_COUNT else f"moins de {SMALL_COUNT}"


def _count(queryset: QuerySet[Any], by: str) -> Coalesce:
    """A correlated COUNT subquery (several counts on one row, without a join product)."""
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def programmes_of_department(department_id: int) -> QuerySet[Programme]:
    """The department's collective actions, newest first, with their figures: people enrolled,
    sessions, attendance marks recorded and marks « présent·e »."""
    enrolled = Enrolment.objects.filter(programme=OuterRef("pk"))
    sessions = ProgrammeSession.objects.filter(programme=OuterRef("pk"))
    marks = Attendance.objects.filter(session__programme=OuterRef("pk"))
    return (
        Programme.objects.filter(department_id=department_id)
        .select_related("organiser")
        .annotate(
            enrolled=_count(enrolled, "programme"),
            session_count=_count(sessions, "programme"),
            marks=_count(marks, "session__programme"),
            present_marks=_count(marks.filter(present=True), "session__programme"),
        )
        .order_by("-starts_on", "pk")
    )


def open_programmes(department_id: int) -> QuerySet[Programme]:
    """Actions a person can still be enrolled in (not ended)."""
    return (
        Programme.objects.filter(department_id=department_id, ends_on__gte=timezone.localdate())
        .select_related("organiser")
        .order_by("starts_on", "name", "pk")
    )


def programme_sessions(programme: Programme) -> list[ProgrammeSession]:
    """The sessions with their attendance figures (present, recorded)."""
    return list(
        ProgrammeSession.objects.filter(programme=programme)
        .annotate(
            present=Count("attendances", filter=Q(attendances__present=True)),
            recorded=Count("attendances"),
        )
        .order_by("starts_at", "pk")
    )


def attendance_sheet(session: ProgrammeSession) -> list[tuple[Enrolment, bool | None]]:
    """Every person enrolled in the session's action, and their mark (None: not recorded)."""
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "present"))
    enrolments = (
        Enrolment.objects.filter(programme_id=session.programme_id)
        .select_related("case__beneficiary", "case__pair__advisor", "case__pair__social_worker")
        .order_by("case__beneficiary__last_name", "case__beneficiary__first_name", "pk")
    )
    return [(enrolment, marks.get(enrolment.pk)) for enrolment in enrolments]


def enrolments_of(case: Case) -> list[Enrolment]:
    """The case's collective actions, with the sessions attended (for its timeline)."""
    return list(
        Enrolment.objects.filter(case=case)
        .select_related("programme__organiser", "enrolled_by")
        .annotate(
            attended=Count("attendances", filter=Q(attendances__present=True)),
            marked=Count("attendances"),
        )
    )


def replaceable_by(user: Professional) -> QuerySet[Professional]:
    """The professionals whose remplacement ``user`` may organise (see
    ``services.can_organise_delegation``): themselves, their subtree, or their department."""
    people = Professional.objects.filter(is_active=True, role__in=PAIR_ROLES)
    if in_pair(user):
        people = people.filter(pk=user.pk)
    elif user.organisation is None:
        return people.none()
    elif is_supervisor(user):
        people = people.filter(
            organisation__in=Organisation.objects.subtree_of(user.organisation).values("pk")
        )
    elif is_admin(user):
        people = people.filter(organisation__department_id=user.organisation.department_id)
    else:
        return people.none()
    return people.select_related("organisation").order_by("last_name", "first_name", "pk")


def possible_delegates(user: Professional) -> QuerySet[Professional]:
    """The active advisors and social workers of the user's department."""
    if user.organisation is None:
        return Professional.objects.none()
    return (
        Professional.objects.filter(
            is_active=True,
            role__in=PAIR_ROLES,
            organisation__department_id=user.organisation.department_id,
        )
        .select_related("organisation")
        .order_by("last_name", "first_name", "pk")
    )


def delegations_for(user: Professional) -> "QuerySet[Delegation]":
    """The remplacements in force or to come that concern ``user``: given by or to them, or of
    the professionals whose remplacement they may organise."""
    pending: QuerySet[Delegation] = Delegation.objects.pending().filter(
        ends_on__gte=timezone.localdate()
    )
    if in_pair(user):
        pending = pending.filter(Q(replaced=user) | Q(delegate=user))
    else:
        pending = pending.filter(replaced__in=replaceable_by(user).values("pk"))
    return (
        pending.select_related("replaced__organisation", "delegate__organisation")
        .annotate(case_count=Count("cases"))
        .order_by("starts_on", "pk")
    )
