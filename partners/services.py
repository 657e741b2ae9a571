"""Every write of the partners app: departments, organisations, professionals, binômes."""

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners import outbox, tokens
from partners.audit import acting_as
from partners.enums import PairEndReason, Role
from partners.errors import (
    InvalidEnrolmentCode,
    InvalidPair,
    InvalidToken,
    InvalidTransition,
    PairHasOpenCases,
    ProfessionalStillInPair,
)
from partners.models import Department, Organisation, Pair, Professional, new_path_segment
from partners.permissions import (
    grant_functional_administration,
    revoke_functional_administration,
)

#: Counters of a pair's open accompagnements. The casework app registers one in its ``ready()``:
#: partners sits below casework and must not import it.
OpenCaseCounter = Callable[[Pair], int]
open_case_counters: list[OpenCaseCounter] = []


def register_open_case_counter(counter: OpenCaseCounter) -> None:
    if counter not in open_case_counters:
        open_case_counters.append(counter)


#: The journal's rows are at most this long (``InformationShare.purpose`` and ``recipient``).
RIGHTS_TEXT_LENGTH = 255
PROFESSIONAL_OBJECT = "professionnel·le"
PAIR_OBJECT = "binôme"


@dataclass(frozen=True)
class RightsChange:
    """A change of who may see what: an account, a role, an organisation, a binôme."""

    department: Department
    acting_user: Professional | None
    granted: bool  # False: rights removed (« Retrait de droits »)
    what: str  # « Rôle changé : … → … »
    whom: str  # the professional(s) concerned, named
    object_type: str  # PROFESSIONAL_OBJECT, PAIR_OBJECT or DEPARTMENT_OBJECT
    object_id: int


#: Listeners of changes of rights, called last in the service's transaction. The casework app
#: registers one in its ``ready()`` that writes the journal row (partners must not import it).
RightsListener = Callable[[RightsChange], object]
rights_listeners: list[RightsListener] = []


def register_rights_listener(listener: RightsListener) -> None:
    if listener not in rights_listeners:
        rights_listeners.append(listener)


def _fit(text: str) -> str:
    return text if len(text) <= RIGHTS_TEXT_LENGTH else text[: RIGHTS_TEXT_LENGTH - 1] + "…"


def professional_label(professional: Professional) -> str:
    """« Jeanne Martin, conseillère emploi (Agence du centre) »: the name, then the job title
    (the role if none) and the organisation."""
    job = professional.job_title or professional.get_role_display()
    organisation = professional.organisation
    where = f" ({organisation.name})" if organisation is not None else ""
    return f"{professional.full_name}, {job}{where}"


def pair_members_label(pair: Pair) -> str:
    """« Binôme n°12 : <advisor> ; <social worker> », both named (« Suivi social seul n°12 :
    <social worker> » without an advisor)."""
    return _fit(f"{pair} : " + " ; ".join(professional_label(m) for m in pair.members))


def _professional_rights_changes(
    before: Professional | None, after: Professional, acting_user: Professional | None
) -> list[RightsChange]:
    """What changed in ``after``'s rights since ``before`` (None: the account is new)."""
    changes: list[tuple[Organisation | None, bool, str]] = []  # (organisation, granted, what)
    organisation = after.organisation
    if before is None:
        correspondent = " ; correspondant·e social·e" if after.is_social_correspondent else ""
        changes.append(
            (organisation, True, f"Compte créé : {after.get_role_display()}{correspondent}")
        )
    else:
        if after.is_active and not before.is_active:
            changes.append((organisation, True, "Compte réactivé"))
        if not after.is_active and before.is_active:
            changes.append((organisation, False, "Compte désactivé"))
        if after.role != before.role:
            changes.append(
                (
                    organisation,
                    True,
                    f"Rôle changé : {before.get_role_display()} → {after.get_role_display()}",
                )
            )
        if after.organisation_id != before.organisation_id:
            old = before.organisation
            moved = (
                f"Organisation changée : {old.name if old else '—'} → "
                f"{organisation.name if organisation else '—'}"
            )
            changes.append((organisation, True, moved))
            if old is not None and (
                organisation is None or old.department_id != organisation.department_id
            ):
                changes.append((old, False, moved))  # the former department loses them
        if after.is_social_correspondent != before.is_social_correspondent:
            changes.append(
                (organisation, True, "Désigné·e correspondant·e social·e")
                if after.is_social_correspondent
                else (organisation, False, "Qualité de correspondant·e social·e retirée")
            )
    return [
        RightsChange(
            department=where.department,
            acting_user=acting_user,
            granted=granted,
            what=_fit(what),
            whom=_fit(professional_label(after)),
            object_type=PROFESSIONAL_OBJECT,
            object_id=after.pk,
        )
        for where, granted, what in changes
        if where is not None  # an operator's account belongs to no department
    ]


def _pair_rights_change(
    pair: Pair, acting_user: Professional | None, *, granted: bool, what: str
) -> list[RightsChange]:
    return [
        RightsChange(
            department=pair.department,
            acting_user=acting_user,
            granted=granted,
            what=_fit(what),
            whom=pair_members_label(pair),
            object_type=PAIR_OBJECT,
            object_id=pair.pk,
        )
    ]


def _rights_changed(changes: list[RightsChange]) -> None:
    for change in changes:
        for listener in rights_listeners:
            listener(change)


def _save(instance: Any, acting_user: Professional | None) -> None:
    instance.full_clean()
    with acting_as(acting_user):
        instance.save()


@transaction.atomic
def department_create(*, code: str, name: str, acting_user: Professional | None) -> Department:
    department = Department(code=code.strip().upper(), name=name.strip())
    _save(department, acting_user)
    return department


DEPARTMENT_OBJECT = "département"


@transaction.atomic
def department_update(
    *, department: Department, fields: dict[str, Any], acting_user: Professional | None
) -> Department:
    """Change a department's settings. A new delay of the two-administrators rule is a change of
    rights (a shorter one lets one administrator alone form sooner a binôme of an account they
    invited): journaled, for the auditor's « Changements de droits »."""
    previous_delay = Department.objects.get(pk=department.pk).second_admin_days
    for field, value in fields.items():
        setattr(department, field, value)
    _save(department, acting_user)
    if department.second_admin_days != previous_delay:
        what = (
            "Délai de la règle des deux administrateur·rices : "
            f"{previous_delay} → {department.second_admin_days} jours"
        )
        _rights_changed(
            [
                RightsChange(
                    department=department,
                    acting_user=acting_user,
                    granted=department.second_admin_days < previous_delay,
                    what=what,
                    whom=_fit(
                        "Administration fonctionnelle du département "
                        f"{department.code} {department.name}"
                    ),
                    object_type=DEPARTMENT_OBJECT,
                    object_id=department.pk,
                )
            ]
        )
    return department


@transaction.atomic
def organisation_create(
    *,
    department: Department,
    kind: str,
    name: str,
    parent: Organisation | None = None,
    acting_user: Professional | None,
) -> Organisation:
    if parent is not None and parent.department_id != department.pk:
        raise InvalidTransition(
            "Une organisation ne peut dépendre que d'une organisation du même département."
        )
    organisation = Organisation(
        department=department,
        kind=kind,
        name=name.strip(),
        parent=parent,
        path=(parent.path if parent else "") + new_path_segment(),
    )
    _save(organisation, acting_user)
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, fields: dict[str, Any], acting_user: Professional | None
) -> Organisation:
    """Rename or retype an organisation; its place in the tree does not change here."""
    for field in fields.keys() & {"department", "parent", "path"}:
        if fields[field] != getattr(organisation, field):
            raise InvalidTransition("Le rattachement d'une organisation ne se modifie pas ici.")
    for field, value in fields.items():
        setattr(organisation, field, value)
    _save(organisation, acting_user)
    return organisation


def _check_professional_fields(professional: Professional) -> None:
    if professional.is_social_correspondent and professional.role != Role.SOCIAL_WORKER:
        raise InvalidTransition(
            "Seul·e un·e travailleur·se social·e peut être correspondant·e social·e."
        )
    if professional.organisation is None and not professional.is_superuser:
        raise InvalidTransition("Un·e professionnel·le appartient à une organisation.")


def _professional_new(
    *,
    email: str,
    first_name: str,
    last_name: str,
    organisation: Organisation,
    role: str,
    job_title: str,
    is_social_correspondent: bool,
    password: str | None,
    invited: bool,
    acting_user: Professional | None,
) -> Professional:
    professional = Professional(
        email=Professional.objects.normalize_email(email).lower(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=organisation,
        role=role,
        job_title=job_title.strip(),
        is_social_correspondent=is_social_correspondent,
        is_staff=role == Role.ADMIN,
        invited_by=acting_user if invited else None,
        invited_at=timezone.now() if invited else None,
    )
    professional.set_password(password)  # None: an unusable password
    _check_professional_fields(professional)
    _save(professional, acting_user)
    if role == Role.ADMIN:
        grant_functional_administration(professional)
    _rights_changed(_professional_rights_changes(None, professional, acting_user))
    return professional


@transaction.atomic
def professional_create(
    *,
    email: str,
    first_name: str,
    last_name: str,
    organisation: Organisation,
    role: str,
    job_title: str = "",
    is_social_correspondent: bool = False,
    acting_user: Professional | None,
) -> Professional:
    """Create a professional's account, that nobody but them can open: no password (an unusable
    one), an activation link by e-mail (through the outbox) to choose it, and for admin and
    auditor an enrolment code of the second factor, in ``issued_enrolment_code`` for the
    administrator to hand over out of band (shown once, never e-mailed)."""
    professional_create_check(
        is_social_correspondent=is_social_correspondent, acting_user=acting_user
    )
    professional = _professional_new(
        email=email,
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
        role=role,
        job_title=job_title,
        is_social_correspondent=is_social_correspondent,
        password=None,
        invited=True,
        acting_user=acting_user,
    )
    _activation_email(professional)
    if role in settings.BINOME_OTP_REQUIRED_ROLES:
        _enrolment_code_issue(professional, acting_user)
    return professional


def professional_create_check(
    *, is_social_correspondent: bool, acting_user: Professional | None
) -> None:
    """The refusal of ``professional_create`` that the administration's form shows first."""
    if is_social_correspondent and acting_user is not None:
        raise InvalidTransition(CORRESPONDENT_AT_CREATION_REFUSED)


@transaction.atomic
def professional_create_with_password(
    *,
    email: str,
    first_name: str,
    last_name: str,
    organisation: Organisation,
    role: str,
    job_title: str = "",
    is_social_correspondent: bool = False,
    password: str | None,
    acting_user: Professional | None,
) -> Professional:
    """A professional with a password set here, no activation link and no enrolment code: for
    the demo department (``seed_demo``, its published password) and the tests' factories only,
    never for the functional administration."""
    return _professional_new(
        email=email,
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
        role=role,
        job_title=job_title,
        is_social_correspondent=is_social_correspondent,
        password=password,
        invited=False,
        acting_user=acting_user,
    )


SELF_INVITATION_REFUSED = (
    "Vous ne pouvez pas vous envoyer un lien d'activation : demandez-le à un·e autre "
    "administrateur·rice."
)


def _activation_email(professional: Professional) -> None:
    """Put the activation e-mail of the link sent at ``invited_at`` in the outbox."""
    department = professional.organisation.department if professional.organisation else None
    link = f"{settings.BINOME_SITE_URL}{tokens.activation_path(professional)}"
    validity_days = settings.PASSWORD_RESET_TIMEOUT // 86400
    proconnect = (
        "Vous pourrez aussi vous connecter avec ProConnect, avec cette même adresse.\n\n"
        if settings.BINOME_PROCONNECT_ENABLED
        else ""
    )
    second_factor = (
        "Votre rôle demande aussi une double authentification : à votre première connexion, "
        "l'administration vous remettra par téléphone ou en main propre un code d'enrôlement "
        "(jamais par e-mail).\n\n"
        if professional.role in settings.BINOME_OTP_REQUIRED_ROLES
        else ""
    )
    outbox.enqueue_email(
        key=f"activation:{professional.pk}:{professional.invited_at:%Y%m%dT%H%M%S.%f}",
        to=[professional.email],
        subject="Binôme : activez votre compte",
        body=(
            f"Bonjour {professional.first_name},\n\n"
            "L'administration fonctionnelle de Binôme"
            f"{f' ({department.name})' if department else ''} vous a ouvert un compte, ou vous "
            "envoie un nouveau lien d'activation. Pour choisir votre mot de passe, ouvrez ce "
            f"lien (une seule fois, pendant {validity_days} jours) :\n\n{link}\n\n"
            f"{proconnect}{second_factor}"
            "Si le lien a expiré ou a déjà servi, demandez-en un nouveau à l'administration "
            "fonctionnelle. Si vous n'attendiez pas ce message, ignorez-le.\n"
        ),
        department=department,
    )


@transaction.atomic
def professional_invitation_resend(
    *, professional: Professional, acting_user: Professional | None
) -> Professional:
    """« Envoyer un nouveau lien d'activation »: the earlier links stop working; the password in
    force, if any, stays until the professional chooses another."""
    professional = Professional.objects.select_for_update().get(pk=professional.pk)
    if acting_user is not None and acting_user.pk == professional.pk:
        raise InvalidTransition(SELF_INVITATION_REFUSED)
    if not professional.is_active:
        raise InvalidTransition(
            f"{professional.full_name} est désactivé·e : aucun lien d'activation n'est envoyé."
        )
    if not _address_chosen_recently_by_another(professional, acting_user):
        professional.invited_by = acting_user
    professional.invited_at = timezone.now()
    _save(professional, acting_user)
    _activation_email(professional)
    return professional


def _address_chosen_recently_by_another(
    professional: Professional, acting_user: Professional | None
) -> bool:
    """Whether someone other than ``acting_user`` invited ``professional`` (chose the address a
    new link goes to) within the delay of the two-administrators rule: a colleague's new link
    keeps them the inviter, or asking a colleague for it would lift the rule from them."""
    organisation = professional.organisation
    if organisation is None or professional.invited_at is None:
        return False
    since = timezone.now() - datetime.timedelta(days=organisation.department.second_admin_days)
    return (
        professional.invited_by_id is not None
        and (acting_user is None or professional.invited_by_id != acting_user.pk)
        and professional.invited_at > since
    )


@transaction.atomic
def professional_activate(*, professional: Professional, password: str) -> Professional:
    """The professional chooses their password from their activation link (validated by the
    form against AUTH_PASSWORD_VALIDATORS); the link stops working."""
    professional = Professional.objects.select_for_update().get(pk=professional.pk)
    professional.set_password(password)
    _save(professional, professional)
    return professional


def _enrolment_code_issue(professional: Professional, acting_user: Professional | None) -> str:
    """A new enrolment code for ``professional`` (the older one stops working): its hash and
    expiry stored, the plain code in ``professional.issued_enrolment_code`` and returned."""
    code = tokens.enrolment_code_new()
    professional.enrolment_code_hash = tokens.enrolment_code_hash(professional.pk, code)
    professional.enrolment_code_expires_at = timezone.now() + tokens.ENROLMENT_VALIDITY
    _save(professional, acting_user)
    professional.issued_enrolment_code = code
    return code


@transaction.atomic
def enrolment_code_issue(*, professional: Professional, acting_user: Professional | None) -> str:
    """An enrolment code for an account of the roles that must give a second factor (the
    command ``enrolment_code``, for the first administrator of a deployment)."""
    professional = Professional.objects.select_for_update().get(pk=professional.pk)
    if professional.role not in settings.BINOME_OTP_REQUIRED_ROLES:
        raise InvalidTransition(
            f"{professional.full_name} ({professional.get_role_display()}) active seul·e sa "
            "double authentification : aucun code d'enrôlement n'est nécessaire."
        )
    if not professional.is_active:
        raise InvalidTransition(f"{professional.full_name} est désactivé·e.")
    return _enrolment_code_issue(professional, acting_user)


SELF_ENROLMENT_REFUSED = (
    "Vous ne pouvez pas autoriser un nouvel enrôlement de votre propre double authentification : "
    "demandez-le à un·e autre administrateur·rice."
)


@transaction.atomic
def second_factor_reenrolment_allow(
    *, professional: Professional, acting_user: Professional | None
) -> Professional:
    """« Autoriser un nouvel enrôlement de la double authentification » (a lost phone): the
    account's devices are removed; for admin and auditor, a new enrolment code is issued
    (``issued_enrolment_code``). Never on one's own account."""
    professional = Professional.objects.select_for_update().get(pk=professional.pk)
    if acting_user is not None and acting_user.pk == professional.pk:
        raise InvalidTransition(SELF_ENROLMENT_REFUSED)
    if not professional.is_active:
        raise InvalidTransition(f"{professional.full_name} est désactivé·e.")
    # TOTPDevice is django-otp's (not audited): the account's audited row says when (below).
    TOTPDevice.objects.filter(user=professional).delete()
    professional.second_factor_reset_at = timezone.now()
    if professional.role in settings.BINOME_OTP_REQUIRED_ROLES:
        _enrolment_code_issue(professional, acting_user)
    else:
        _save(professional, acting_user)
    return professional


#: What a professional's access follows: nobody changes them on their own account (an
#: administrator who made themselves a social correspondent would read their territory's
#: one-off requests).
RIGHTS_FIELDS = ("role", "organisation", "is_social_correspondent")
SELF_RIGHTS_REFUSED = (
    "Vous ne pouvez pas changer votre propre rôle, votre organisation ni votre qualité de "
    "correspondant·e social·e : demandez-le à un·e autre administrateur·rice."
)


#: The address opens the account (its activation link, ProConnect): once the professional has
#: chosen a password or logged in, an administrator who changed it could let themselves in.
ACTIVATED_EMAIL_REFUSED = (
    "L'adresse électronique d'un compte déjà activé ne se change pas dans l'administration : "
    "elle ouvre le compte. Si la personne a changé d'adresse, désactivez ce compte et "
    "créez-en un nouveau à sa nouvelle adresse."
)


#: Before activation, a new address gets the activation link: on a member of a binôme in
#: progress, that would open the binôme's cases to whoever typed the address, with no second
#: administrator forming the binôme (the two-administrators rule, docs/roles.md).
PAIRED_EMAIL_REFUSED = (
    "{name} est membre d'un binôme en cours : l'adresse électronique de son compte, où part le "
    "lien d'activation, ne se change pas tant que ce binôme dure. Terminez-le d'abord ; un·e "
    "autre administrateur·rice formera le nouveau binôme (règle des deux administrateur·rices)."
)


def account_activated(professional: Professional) -> bool:
    return professional.has_usable_password() or professional.last_login is not None


def professional_update_check(
    *, professional: Professional, fields: dict[str, Any], acting_user: Professional | None
) -> None:
    """The refusals of ``professional_update`` (InvalidTransition, ProfessionalStillInPair),
    before anything is written: the administration's change form shows them as its errors."""
    if fields.get("is_active") is False and professional.is_active:
        raise InvalidTransition("Pour désactiver un·e professionnel·le, utilisez « Désactiver ».")
    stored = Professional.objects.select_related("organisation").get(pk=professional.pk)
    if (
        acting_user is not None
        and acting_user.pk == professional.pk
        and any(fields[name] != getattr(stored, name) for name in RIGHTS_FIELDS if name in fields)
    ):
        raise InvalidTransition(SELF_RIGHTS_REFUSED)
    email_changed = (
        "email" in fields
        and Professional.objects.normalize_email(fields["email"]).lower() != stored.email
    )
    if email_changed and acting_user is not None and account_activated(stored):
        raise InvalidTransition(ACTIVATED_EMAIL_REFUSED)
    paired = Pair.objects.active().of(stored).exists()
    if email_changed and acting_user is not None and paired:
        raise InvalidTransition(PAIRED_EMAIL_REFUSED.format(name=stored.full_name))
    if "role" in fields and fields["role"] != stored.role and paired:
        raise ProfessionalStillInPair(
            f"{stored.full_name} est membre d'un binôme en cours : "
            "terminez-le avant de changer son rôle."
        )
    changed = copy.copy(stored)
    for field, value in fields.items():
        setattr(changed, field, value)
    _check_professional_fields(changed)
    if (
        changed.is_social_correspondent
        and not stored.is_social_correspondent
        and acting_user is not None
        and changed.organisation is not None
    ):
        try:
            second_admin_check(
                changed.organisation.department,
                (stored,),
                acting_user,
                what=SECOND_ADMIN_CORRESPONDENT,
            )
        except InvalidPair as error:
            raise InvalidTransition(error.message) from error


@transaction.atomic
def professional_update(
    *, professional: Professional, fields: dict[str, Any], acting_user: Professional | None
) -> Professional:
    """Change a professional's details. Deactivation goes through professional_deactivate."""
    professional_update_check(professional=professional, fields=fields, acting_user=acting_user)
    stored = Professional.objects.select_related("organisation").get(pk=professional.pk)
    before = stored  # as stored: the changes are set on ``professional``
    previous_role = stored.role
    if "email" in fields:
        fields["email"] = Professional.objects.normalize_email(fields["email"]).lower()
    email_changed = "email" in fields and fields["email"] != stored.email
    for field, value in fields.items():
        setattr(professional, field, value)
    if email_changed:  # the link goes to the new address; the one sent before stops working
        professional.invited_by = acting_user
        professional.invited_at = timezone.now()
    role_changed = "role" in fields and fields["role"] != previous_role
    if role_changed:
        professional.is_staff = professional.role == Role.ADMIN or professional.is_superuser
    _check_professional_fields(professional)
    _save(professional, acting_user)
    if email_changed:
        _activation_email(professional)
    if role_changed and professional.role == Role.ADMIN:
        grant_functional_administration(professional)
    elif role_changed and previous_role == Role.ADMIN:
        revoke_functional_administration(professional)
    required = settings.BINOME_OTP_REQUIRED_ROLES
    if role_changed and professional.role in required and previous_role not in required:
        _enrolment_code_issue(professional, acting_user)
    _rights_changed(_professional_rights_changes(before, professional, acting_user))
    return professional


@transaction.atomic
def professional_deactivate(
    *, professional: Professional, acting_user: Professional | None
) -> Professional:
    """Close a professional's access. Professionals are deactivated, never deleted."""
    professional = Professional.objects.select_for_update().get(pk=professional.pk)
    if not professional.is_active:
        raise InvalidTransition(f"{professional.full_name} est déjà désactivé·e.")
    if Pair.objects.active().of(professional).exists():
        raise ProfessionalStillInPair(
            f"{professional.full_name} est encore membre d'un binôme en cours : "
            "confiez d'abord ses accompagnements à un autre binôme, puis terminez le binôme."
        )
    before = copy.copy(professional)
    professional.is_active = False
    _save(professional, acting_user)
    _rights_changed(_professional_rights_changes(before, professional, acting_user))
    return professional


#: Functional administrators keep « metadata only » (DESIGN.md): one cannot open a binôme's
#: cases, secret side included, to themselves.
SELF_PAIR_REFUSED = (
    "Vous ne pouvez pas former un binôme dont vous êtes membre : il donnerait accès aux "
    "accompagnements de ce binôme. Demandez-le à un·e autre administrateur·rice."
)


def pair_check_members(
    advisor: Professional | None,
    social_worker: Professional,
    *,
    acting_user: Professional | None = None,
) -> Department:
    """Check the members of a future pair (InvalidPair); return their department. Without
    ``advisor``, a suivi social seul: the social worker alone."""
    if advisor is None:
        return _social_only_check_member(social_worker, acting_user=acting_user)
    if acting_user is not None and acting_user.pk in (advisor.pk, social_worker.pk):
        raise InvalidPair(SELF_PAIR_REFUSED)
    if advisor.pk == social_worker.pk:
        raise InvalidPair("Un binôme réunit deux professionnel·les différent·es.")
    if advisor.role == Role.ADVISOR and social_worker.role == Role.ADVISOR:
        raise InvalidPair(
            "Deux conseiller·ères France Travail ne peuvent pas former un binôme : "
            "un binôme réunit un·e conseiller·ère et un·e travailleur·se social·e."
        )
    if advisor.role == Role.SOCIAL_WORKER and social_worker.role == Role.SOCIAL_WORKER:
        raise InvalidPair(
            "Deux travailleur·ses sociaux·ales ne peuvent pas former un binôme : "
            "un binôme réunit un·e conseiller·ère et un·e travailleur·se social·e."
        )
    if advisor.role != Role.ADVISOR:
        raise InvalidPair(
            f"{advisor.full_name} n'est pas conseiller·ère France Travail "
            f"(rôle : {advisor.get_role_display()})."
        )
    if social_worker.role != Role.SOCIAL_WORKER:
        raise InvalidPair(
            f"{social_worker.full_name} n'est pas travailleur·se social·e "
            f"(rôle : {social_worker.get_role_display()})."
        )
    for member in (advisor, social_worker):
        if not member.is_active:
            raise InvalidPair(
                f"{member.full_name} est désactivé·e : un binôme ne réunit que des "
                "professionnel·les actif·ves."
            )
    advisor_department = advisor.organisation.department if advisor.organisation else None
    social_department = (
        social_worker.organisation.department if social_worker.organisation else None
    )
    if advisor_department is None or advisor_department != social_department:
        raise InvalidPair(
            "Les deux membres d'un binôme relèvent du même département "
            f"({advisor_department.code if advisor_department else '—'} ≠ "
            f"{social_department.code if social_department else '—'})."
        )
    if acting_user is not None:
        second_admin_check(advisor_department, (advisor, social_worker), acting_user)
    return advisor_department


def _social_only_check_member(
    social_worker: Professional, *, acting_user: Professional | None
) -> Department:
    if acting_user is not None and acting_user.pk == social_worker.pk:
        raise InvalidPair(SELF_PAIR_REFUSED)
    if social_worker.role != Role.SOCIAL_WORKER:
        raise InvalidPair(
            f"{social_worker.full_name} n'est pas travailleur·se social·e "
            f"(rôle : {social_worker.get_role_display()}) : un suivi social seul est mené par "
            "un·e travailleur·se social·e."
        )
    if not social_worker.is_active:
        raise InvalidPair(
            f"{social_worker.full_name} est désactivé·e : un suivi social seul n'est confié "
            "qu'à un·e professionnel·le actif·ve."
        )
    department = social_worker.organisation.department if social_worker.organisation else None
    if department is None:
        raise InvalidPair(f"{social_worker.full_name} ne relève d'aucun département.")
    if acting_user is not None:
        second_admin_check(department, (social_worker,), acting_user)
    return department


#: What the two-administrators rule protects, in its refusals (« pendant 30 jours, … par un·e
#: autre administrateur·rice »).
SECOND_ADMIN_PAIR = "un binôme qui comprend ce compte est formé"
SECOND_ADMIN_DELEGATION = "un remplacement confié à ce compte est organisé"
SECOND_ADMIN_CORRESPONDENT = "la qualité de correspondant·e social·e est donnée à ce compte"
#: A social correspondent reads the one-off requests of her territory: the quality is given by
#: another administrator than the one who invited the account (the two-administrators rule).
CORRESPONDENT_AT_CREATION_REFUSED = (
    "Créez ce compte sans la qualité de correspondant·e social·e : un·e autre "
    "administrateur·rice la lui donnera (règle des deux administrateur·rices)."
)
#: How far the rule follows invitations upwards (an administrator invited by one invited by…).
_INVITATION_CHAIN_LIMIT = 20


def _recent_invitation_chain(
    professional: Professional, since: datetime.datetime
) -> list[Professional]:
    """``professional``, then whoever invited them after ``since``, then whoever invited that
    one after ``since``, and so on. An operator's invitation (a superuser, outside every
    department) ends the chain: the operators create a department's first administrators, who
    count as two."""
    chain = [professional]
    current = professional
    while (
        current.invited_by_id is not None
        and current.invited_at is not None
        and current.invited_at > since
        and len(chain) < _INVITATION_CHAIN_LIMIT
    ):
        inviter = Professional.objects.get(pk=current.invited_by_id)
        if inviter.is_superuser or any(known.pk == inviter.pk for known in chain):
            break
        chain.append(inviter)
        current = inviter
    return chain


def recent_inviter(professional: Professional, department: Department) -> Professional | None:
    """Who invited ``professional`` within ``department``'s delay of the two-administrators
    rule, an operator excepted (None: nobody, or longer ago)."""
    since = timezone.now() - datetime.timedelta(days=department.second_admin_days)
    chain = _recent_invitation_chain(professional, since)
    return chain[1] if len(chain) > 1 else None


def second_admin_check(
    department: Department,
    members: tuple[Professional, ...],
    acting_user: Professional,
    *,
    what: str = SECOND_ADMIN_PAIR,
) -> None:
    """The two-administrators rule (docs/roles.md): an account an administrator invited within
    the department's ``second_admin_days`` joins a binôme, or receives a remplacement, only by
    another administrator's hand (InvalidPair otherwise). Whoever invites chooses the address the
    activation link goes to; forming the binôme would then open its cases, secret side included,
    to someone that one administrator alone let in. An administrator account invited within the
    delay is its inviter's hand too (they chose its address and were shown its enrolment code):
    invitations of less than the delay that link the acting user to a member refuse as well."""
    days = department.second_admin_days
    since = timezone.now() - datetime.timedelta(days=days)
    for member in members:
        if (
            member.invited_by_id == acting_user.pk
            and member.invited_at
            and member.invited_at > since
        ):
            invited_on = timezone.localdate(member.invited_at)
            raise InvalidPair(
                f"Vous avez invité {member.full_name} le {invited_on:%d/%m/%Y} : "
                f"pendant {days} jours, {what} par un·e autre administrateur·rice du "
                "département (règle des deux administrateur·rices)."
            )
    acting_chain = _recent_invitation_chain(acting_user, since)
    acting_pks = [professional.pk for professional in acting_chain]
    for member in members:
        member_chain = _recent_invitation_chain(member, since)
        common = next((p for p in member_chain if p.pk in acting_pks), None)
        if common is None:
            continue
        upwards = member_chain[: member_chain.index(common) + 1]
        acting_upwards = acting_chain[: acting_pks.index(common.pk) + 1]
        links = [
            (chain[i + 1], chain[i])
            for chain in (upwards, acting_upwards)
            for i in range(len(chain) - 1)
        ]
        said = " ; ".join(
            f"{inviter.full_name} a invité {invitee.full_name} le "
            f"{timezone.localdate(invitee.invited_at):%d/%m/%Y}"
            for inviter, invitee in links
        )
        raise InvalidPair(
            f"Des invitations de moins de {days} jours vous relient à {member.full_name} "
            f"({said}) : un·e administrateur·rice invité·e par l'autre ne compte pas pour la "
            f"seconde. Pendant ce délai, {what} par un·e autre administrateur·rice du "
            "département (règle des deux administrateur·rices)."
        )


ACTIVE_PAIR_EXISTS = "Ce binôme existe déjà et est en cours."
ACTIVE_SOCIAL_ONLY_EXISTS = "Ce suivi social seul existe déjà et est en cours."


@transaction.atomic
def pair_create(
    *,
    advisor: Professional | None,
    social_worker: Professional,
    started_on: datetime.date | None = None,
    acting_user: Professional | None,
) -> Pair:
    """Form a binôme of an advisor and a social worker of the same department; with no
    ``advisor``, a suivi social seul (axis 3): the social worker alone, at most one in course."""
    # Lock the members: a concurrent deactivation or pair creation waits for us.
    members = (
        Professional.objects.select_for_update(of=("self",))
        .select_related("organisation__department")
        .in_bulk([m.pk for m in (advisor, social_worker) if m is not None])
    )
    social_worker = members[social_worker.pk]
    advisor = members[advisor.pk] if advisor is not None else None
    department = pair_check_members(advisor, social_worker, acting_user=acting_user)
    pair_check_not_active(advisor, social_worker)
    pair = Pair(
        department=department,
        advisor=advisor,
        social_worker=social_worker,
        started_on=started_on or timezone.localdate(),
    )
    _save_pair(pair, acting_user)
    what = "Suivi social seul ouvert" if pair.is_social_only else "Binôme formé"
    _rights_changed(_pair_rights_change(pair, acting_user, granted=True, what=what))
    return pair


def pair_check_not_active(advisor: Professional | None, social_worker: Professional) -> None:
    """Refuse (InvalidPair) a binôme already in course, or a second suivi social seul of the
    same social worker."""
    if Pair.objects.active().filter(advisor=advisor, social_worker=social_worker).exists():
        raise InvalidPair(ACTIVE_PAIR_EXISTS if advisor else ACTIVE_SOCIAL_ONLY_EXISTS)


def _save_pair(pair: Pair, acting_user: Professional | None) -> None:
    # Validation of the unique constraint is left to the database (a concurrent insert).
    pair.full_clean(validate_constraints=False)
    try:
        with transaction.atomic(), acting_as(acting_user):
            pair.save()
    except IntegrityError as error:
        raise InvalidPair(
            ACTIVE_SOCIAL_ONLY_EXISTS if pair.is_social_only else ACTIVE_PAIR_EXISTS
        ) from error


@transaction.atomic
def pair_end(
    *,
    pair: Pair,
    reason: str = PairEndReason.OTHER,
    ended_on: datetime.date | None = None,
    acting_user: Professional | None,
) -> Pair:
    """End a binôme. Refused while it still follows open accompagnements."""
    pair = Pair.objects.select_for_update().get(pk=pair.pk)
    ended_on = ended_on or timezone.localdate()
    pair_check_end(pair, ended_on)
    pair.ended_on = ended_on
    pair.end_reason = reason
    _save_pair(pair, acting_user)
    what = f"Binôme terminé : {pair.get_end_reason_display()}"
    _rights_changed(_pair_rights_change(pair, acting_user, granted=False, what=what))
    return pair


def pair_check_end(pair: Pair, ended_on: datetime.date) -> None:
    """Check that ``pair`` may end on ``ended_on`` (InvalidTransition, PairHasOpenCases)."""
    if pair.ended_on is not None:
        raise InvalidTransition(f"Ce binôme est déjà terminé depuis le {pair.ended_on:%d/%m/%Y}.")
    if ended_on < pair.started_on:
        raise InvalidTransition(
            f"La fin d'un binôme ne peut précéder son début ({pair.started_on:%d/%m/%Y})."
        )
    open_cases = sum(counter(pair) for counter in open_case_counters)
    if open_cases:
        raise PairHasOpenCases(
            f"Ce binôme suit encore {open_cases} accompagnement(s) en cours : confiez-les "
            "d'abord à un autre binôme (changement de référent), puis terminez-le."
        )


@transaction.atomic
def professional_logout_everywhere(*, professional: Professional) -> Professional:
    """End every session of ``professional`` (other browsers, a forgotten office computer):
    partners.middleware.SessionTimeoutMiddleware ends those opened before this time."""
    professional = Professional.objects.select_for_update().get(pk=professional.pk)
    professional.sessions_revoked_at = timezone.now()
    _save(professional, professional)
    return professional


TOTP_TOLERANCE = 1  # one 30-second step either side: phones' clocks drift

ENROLMENT_CODE_MISSING = (
    "Pour activer la double authentification, saisissez le code d'enrôlement que "
    "l'administration vous a remis (par téléphone ou en main propre). Vous ne l'avez pas ? "
    "Demandez à un·e administrateur·rice fonctionnel·le de votre département d'« autoriser un "
    "nouvel enrôlement de la double authentification » pour votre compte."
)
ENROLMENT_CODE_WRONG = (
    "Ce code d'enrôlement ne correspond pas, ou a déjà servi. Vérifiez-le (dix caractères, "
    "par exemple ABCDE-FGH23), ou demandez-en un nouveau à l'administration fonctionnelle."
)
ENROLMENT_CODE_EXPIRED = (
    "Ce code d'enrôlement a expiré : demandez-en un nouveau à l'administration fonctionnelle."
)


def _check_enrolment_code(professional: Professional, enrolment_code: str) -> None:
    """Admin and auditor enrol their device only with the code an administrator handed over."""
    if not tokens.enrolment_code_normalise(enrolment_code):
        raise InvalidEnrolmentCode(ENROLMENT_CODE_MISSING)
    if not tokens.enrolment_code_matches(
        professional.pk, enrolment_code, professional.enrolment_code_hash
    ):
        raise InvalidEnrolmentCode(ENROLMENT_CODE_WRONG)
    expires_at = professional.enrolment_code_expires_at
    if expires_at is None or expires_at <= timezone.now():
        raise InvalidEnrolmentCode(ENROLMENT_CODE_EXPIRED)


def enrolment_code_required(professional: Professional) -> bool:
    """Whether enrolling a device needs an enrolment code (admin and auditor)."""
    return professional.role in settings.BINOME_OTP_REQUIRED_ROLES


@transaction.atomic
def totp_device_enrol(
    *, professional: Professional, key: str, token: str, enrolment_code: str = ""
) -> TOTPDevice:
    """Record the professional's authenticator application, once it has shown a right code; for
    admin and auditor, with the enrolment code an administrator handed over (used once)."""
    professional = Professional.objects.select_for_update().get(pk=professional.pk)
    if TOTPDevice.objects.filter(user=professional, confirmed=True).exists():
        raise InvalidTransition("La double authentification est déjà activée pour ce compte.")
    if enrolment_code_required(professional):
        _check_enrolment_code(professional, enrolment_code)
    device = TOTPDevice(user=professional, name="Application d'authentification", key=key)
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    if not totp.verify(int(token), tolerance=TOTP_TOLERANCE):
        raise InvalidToken(
            "Ce code ne correspond pas : vérifiez l'heure de votre téléphone et saisissez le "
            "code affiché maintenant."
        )
    device.confirmed = True
    device.full_clean()
    device.save()
    if professional.enrolment_code_hash:
        professional.enrolment_code_hash = ""
        professional.enrolment_code_expires_at = None
        _save(professional, professional)
    return device
