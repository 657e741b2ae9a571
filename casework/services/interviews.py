"""What the binôme logs about a case: interviews, notes, social notes and points binôme."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from casework import permissions
from casework.enums import OPEN_STATES
from casework.errors import InvalidInput
from casework.models import Case, Interview, Note, PairContact, SocialNote
from casework.services._base import bump, lock_case, require_state, save
from partners.audit import acting_as
from partners.errors import InvalidTransition
from partners.models import Pair, Professional


def check_interview_dates(
    occurred_on: datetime.date, next_appointment_on: datetime.date | None
) -> None:
    if occurred_on > timezone.localdate():
        raise InvalidInput("Un entretien ne peut pas être daté dans le futur.", field="occurred_on")
    if next_appointment_on is not None and next_appointment_on < occurred_on:
        raise InvalidInput(
            "Le prochain rendez-vous ne peut pas précéder l'entretien.",
            field="next_appointment_on",
        )


@transaction.atomic
def interview_log(
    *,
    case: Case,
    author: Professional,
    occurred_on: datetime.date,
    channel: str,
    three_way: bool = False,
    interpreter: bool = False,
    summary: str = "",
    next_appointment_on: datetime.date | None = None,
    seen_version: int | None = None,
) -> Interview:
    """Log an interview and bring the case's last-contact figures up to date."""
    check_interview_dates(occurred_on, next_appointment_on)
    case = lock_case(case, seen_version)
    require_state(case, OPEN_STATES, "saisir un entretien")
    interview = Interview(
        case=case,
        author=author,
        occurred_on=occurred_on,
        channel=channel,
        three_way=three_way,
        interpreter=interpreter,
        summary=summary.strip(),
        next_appointment_on=next_appointment_on,
    )
    save(interview, author)
    if case.last_interview_on is None or occurred_on >= case.last_interview_on:
        case.last_interview_on = occurred_on
        case.last_interview_by = author
        if next_appointment_on is not None:
            case.next_appointment_on = next_appointment_on
    if _sees_as_referent(author, case) and (
        case.last_referent_interview_on is None or occurred_on > case.last_referent_interview_on
    ):
        case.last_referent_interview_on = occurred_on
    if case.last_contact_on is None or occurred_on > case.last_contact_on:
        case.last_contact_on = occurred_on
    bump(case, author)
    return interview


def _sees_as_referent(author: Professional, case: Case) -> bool:
    """« Sans entretien » counts the référent's interviews, and those of a remplaçant·e in the
    référent's place (docs/roles.md); the co-accompagnant·e's do not clear it."""
    return author.pk == case.referent_id or permissions.replaces_referent(author, case)


@transaction.atomic
def note_add(*, case: Case, author: Professional, text: str) -> Note:
    if not text.strip():
        raise InvalidInput("Une note ne peut pas être vide.", field="text")
    note = Note(case=case, author=author, text=text.strip())
    save(note, author)
    return note


@transaction.atomic
def social_note_add(*, case: Case, author: Professional, text: str) -> SocialNote:
    """A secret note: only a social worker of the case writes (and reads) it."""
    if not permissions.can_read_social_notes(author, case):
        raise InvalidTransition("Seul·e le ou la travailleur·se social·e du binôme écrit ici.")
    if not text.strip():
        raise InvalidInput("Une note sociale ne peut pas être vide.", field="text")
    note = SocialNote(case=case, author=author, text=text.strip())
    save(note, author)
    return note


@transaction.atomic
def pair_contact_record(
    *,
    pair: Pair,
    author: Professional,
    occurred_on: datetime.date,
    channel: str,
    cases: Iterable[Case],
    summary: str = "",
) -> PairContact:
    """A point binôme about several cases of the pair."""
    cases = list(cases)
    if occurred_on > timezone.localdate():
        raise InvalidInput("Un point binôme ne peut pas être daté dans le futur.", "occurred_on")
    if any(case.pair_id != pair.pk for case in cases):
        raise InvalidInput("Chaque situation évoquée doit être suivie par ce binôme.", "cases")
    contact = PairContact(
        pair=pair, author=author, occurred_on=occurred_on, channel=channel, summary=summary
    )
    save(contact, author)
    with acting_as(author):
        contact.cases.set(cases)
    return contact
