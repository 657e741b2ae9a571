"""The person's rights on their data: access (the full export), rectification, objection.

Writes of the casework app like ``casework.services``, kept apart because they answer the DPO's
work, not the binôme's. The export reads ``casework.personal_data``'s registry, so a model added to
any app is exported as soon as it is registered there.
"""

import datetime
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from casework import journal, permissions
from casework.enums import JournalChannel, PersonRequestKind, PersonRequestState
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.models import (
    Beneficiary,
    Case,
    Interview,
    PersonRequest,
    Rectification,
    SpaceAccess,
)
from casework.personal_data import export_sections
from casework.services import check_birth_date
from casework.services._base import lock_access_in_force, save, save_as_person
from casework.space.messages import DAILY_LIMIT, LimitReached
from partners import outbox
from partners.enums import Role
from partners.errors import InvalidTransition
from partners.models import Department, Professional
from partners.selectors import dpo_addresses
from partners.services import recent_inviter

EXPORT_PURPOSE = "Droit d'accès de la personne : export complet de ses données"


@dataclass
class PersonExport:
    beneficiary_id: int
    json_text: str
    html_text: str

    @property
    def basename(self) -> str:
        return f"binome-personne-{self.beneficiary_id}"

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{self.basename}.json", self.json_text)
            archive.writestr(f"{self.basename}.html", self.html_text)
        return buffer.getvalue()


def _export_content(beneficiary: Beneficiary, produced_at: datetime.datetime) -> PersonExport:
    department = beneficiary.department
    sections = list(export_sections(beneficiary.pk, with_names=department.journal_shows_names))
    data = {
        "personne": beneficiary.pk,
        "departement": f"{department.code} {department.name}",
        "produit_le": produced_at.isoformat(),
        "sections": {
            section.key: {"titre": section.title, "lignes": [row.raw for row in section.rows]}
            for section in sections
        },
    }
    html = render_to_string(
        "casework/person_export.html",
        {
            "beneficiary": beneficiary,
            "department": department,
            "produced_at": produced_at,
            "sections": sections,
        },
    )
    return PersonExport(
        beneficiary_id=beneficiary.pk,
        json_text=json.dumps(data, ensure_ascii=False, indent=2, default=str),
        html_text=html,
    )


def _check_exporter(auditor: Professional, department: Department) -> None:
    """The two-administrators rule (docs/roles.md) for the full export, which holds the social
    notes: an auditor account an administrator invited within the delay does not produce it (the
    administrator chose its address and was shown its enrolment code)."""
    inviter = recent_inviter(auditor, department)
    if inviter is not None and auditor.invited_at is not None:
        raise InvalidTransition(
            f"{inviter.full_name} vous a invité·e le "
            f"{timezone.localdate(auditor.invited_at):%d/%m/%Y} : pendant "
            f"{department.second_admin_days} jours, l'export complet des données d'une personne, "
            "notes sociales comprises, est produit par un·e autre auditeur·rice du département ou "
            "par l'exploitation (règle des deux administrateur·rices)."
        )


@transaction.atomic
def person_export(
    *,
    beneficiary: Beneficiary,
    acting_user: Professional | None,
    info: RequestInfo | None = None,
) -> PersonExport:
    """Everything about the person, as JSON and as a readable French document; journaled.

    Produced for the DPO (the auditor role) or from the command line; never shown on a page.
    """
    if acting_user is not None and acting_user.role != Role.AUDITOR:
        raise InvalidTransition("Seul·e le ou la délégué·e à la protection des données exporte.")
    if acting_user is not None:
        _check_exporter(acting_user, beneficiary.department)
    export = _export_content(beneficiary, timezone.now())
    journal.record(
        department=beneficiary.department,
        actor=acting_user,
        channel=JournalChannel.EXPORT,
        purpose=EXPORT_PURPOSE,
        beneficiary=beneficiary,
        object_type="beneficiary",
        object_id=str(beneficiary.pk),
        recipient="La personne (droit d'accès)",
        info=info,
    )
    return export


# Rectification -------------------------------------------------------------------------------

#: The facts of a person's identity that a rectification may correct, with their labels.
RECTIFIABLE_IDENTITY = (
    "first_name",
    "last_name",
    "birth_date",
    "france_travail_id",
    "phone",
    "email",
    "address",
    "postal_code",
    "city",
    "education_level",
)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Notez pourquoi la personne demande cette correction.", "reason")
    return reason


def _display(instance: Any, name: str) -> str:
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if field.choices:
        return str(getattr(instance, f"get_{name}_display")())
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def record_rectifications(
    *,
    instance: Any,
    changes: dict[str, Any],
    beneficiary: Beneficiary,
    case: Case | None,
    reason: str,
    acting_user: Professional,
    share_category: str = "",
) -> list[Rectification]:
    """Apply ``changes`` to ``instance`` and write one history row per changed field.

    The caller has checked the rights and the state, and holds the row's lock.
    """
    reason = _reason(reason)
    rows = []
    changed = [name for name, value in changes.items() if getattr(instance, name) != value]
    if not changed:
        raise InvalidInput("Rien n'a changé : modifiez la valeur à corriger.")
    for name in changed:
        previous = _display(instance, name)
        setattr(instance, name, changes[name])
        rows.append(
            Rectification(
                beneficiary=beneficiary,
                case=case,
                object_type=instance._meta.model_name,
                object_id=str(instance.pk),
                field_name=name,
                field_label=str(instance._meta.get_field(name).verbose_name),
                share_category=share_category,
                previous_value=previous,
                new_value=_display(instance, name),
                reason=reason,
                recorded_by=acting_user,
            )
        )
    save(instance, acting_user)
    for row in rows:
        save(row, acting_user)
    return rows


@transaction.atomic
def beneficiary_rectify(
    *, case: Case, acting_user: Professional, changes: dict[str, Any], reason: str
) -> list[Rectification]:
    """Correct the person's identity at their request, from their accompagnement."""
    if not permissions.can_change_case(acting_user, case):
        raise InvalidTransition("Seul le binôme de la personne enregistre une rectification.")
    refused = set(changes) - set(RECTIFIABLE_IDENTITY)
    if refused:
        raise InvalidInput("Ce champ ne se rectifie pas ici.")
    if "birth_date" in changes:
        check_birth_date(changes["birth_date"])
    beneficiary = Beneficiary.objects.select_for_update().get(pk=case.beneficiary_id)
    return record_rectifications(
        instance=beneficiary,
        changes=changes,
        beneficiary=beneficiary,
        case=case,
        reason=reason,
        acting_user=acting_user,
    )


@transaction.atomic
def interview_rectify(
    *, interview: Interview, acting_user: Professional, summary: str, reason: str
) -> list[Rectification]:
    """Correct an interview's summary that the person contests; the previous text is kept."""
    locked = Interview.objects.select_for_update().select_related("case").get(pk=interview.pk)
    if not permissions.can_change_case(acting_user, locked.case):
        raise InvalidTransition("Seul le binôme de la personne enregistre une rectification.")
    return record_rectifications(
        instance=locked,
        changes={"summary": summary.strip()},
        beneficiary=locked.case.beneficiary,
        case=locked.case,
        reason=reason,
        acting_user=acting_user,
    )


# Requests to the DPO (objection, access, rectification refused…) ----------------------------


@transaction.atomic
def person_request_record(
    *,
    case: Case,
    acting_user: Professional,
    kind: str,
    text: str,
    received_on: datetime.date,
) -> PersonRequest:
    """Record what the person asks about their data, in their words, and route it to the DPO."""
    if not permissions.can_change_case(acting_user, case):
        raise InvalidTransition("Seul le binôme de la personne enregistre sa demande.")
    if received_on > timezone.localdate():
        raise InvalidInput("La demande ne peut pas avoir été reçue dans le futur.", "received_on")
    person_request = PersonRequest(
        beneficiary=case.beneficiary,
        case=case,
        kind=kind,
        text=text.strip(),
        received_on=received_on,
        recorded_by=acting_user,
    )
    if not person_request.text:
        raise InvalidInput("Notez ce que la personne demande, dans ses mots.", "text")
    save(person_request, acting_user)
    _email_dpo(person_request, case.beneficiary.department_id)
    return person_request


#: What the person may ask the DPO from their space, in their words (the others go through the
#: binôme).
SPACE_REQUEST_KINDS = (
    PersonRequestKind.RECTIFICATION,
    PersonRequestKind.OBJECTION,
    PersonRequestKind.ACCESS,
)
#: The request's text when the person asks for the copy of their data without a word.
FULL_COPY_TEXT = "Je demande la copie complète de mes données."


@transaction.atomic
def person_request_from_space(
    *, access: SpaceAccess, kind: str, text: str, info: RequestInfo | None = None
) -> PersonRequest:
    """The person sends a request about their data from their space (a rectification, an
    objection, the full copy of their data): routed to the DPO like one recorded by the binôme,
    marked « reçue depuis l'espace de la personne »; the person's own act."""
    access = lock_access_in_force(access)
    since = timezone.now() - datetime.timedelta(days=1)
    if (
        PersonRequest.objects.filter(from_space=access, recorded_at__gt=since).count()
        >= DAILY_LIMIT
    ):
        raise LimitReached
    if kind not in SPACE_REQUEST_KINDS:
        raise InvalidInput("Choisissez ce que vous demandez.", "kind")
    text = text.strip() or (FULL_COPY_TEXT if kind == PersonRequestKind.ACCESS else "")
    if not text:
        raise InvalidInput("Écrivez ce que vous demandez, avec vos mots.", "text")
    person_request = PersonRequest(
        beneficiary=access.beneficiary,
        case=access.case,
        kind=kind,
        text=text,
        received_on=timezone.localdate(),
        from_space=access,
    )
    save_as_person(person_request, access.pk)
    _email_dpo(person_request, access.beneficiary.department_id)
    journal.record_person_act(
        case=access.case,
        purpose=f"Demande au ou à la DPO : {person_request.get_kind_display().lower()}",
        object_type="demande de la personne sur ses données",
        object_id=str(person_request.pk),
        info=info,
    )
    return person_request


def _email_dpo(person_request: PersonRequest, department_id: int) -> None:
    """The DPO (every active auditor of the department) is told, through the outbox, in the
    request's transaction; no name in the e-mail."""
    recipients = dpo_addresses(department_id)
    if not recipients:
        return
    kind = person_request.get_kind_display()
    outbox.enqueue_email(
        key=f"dpo-request:{person_request.pk}",
        to=recipients,
        subject=f"Binôme : nouvelle demande d'une personne ({kind.lower()})",
        body=f"Bonjour,\n\nUne demande sur ses données a été enregistrée ({kind}).\n"
        f"Le détail : {settings.BINOME_SITE_URL}/dpo/demandes/\n",
        department=department_id,
    )


@transaction.atomic
def person_request_answer(
    *, person_request: PersonRequest, acting_user: Professional, answer: str
) -> PersonRequest:
    locked = (
        PersonRequest.objects.for_dpo(acting_user).select_for_update().get(pk=person_request.pk)
    )
    if locked.state == PersonRequestState.ANSWERED:
        raise InvalidTransition("Cette demande a déjà reçu une réponse.")
    answer = answer.strip()
    if not answer:
        raise InvalidInput("Écrivez la réponse apportée à la personne.", "answer")
    locked.answer, locked.state = answer, PersonRequestState.ANSWERED
    locked.answered_by, locked.answered_at = acting_user, timezone.now()
    save(locked, acting_user)
    return locked
