"""Every write of the person's space: the binôme invites the person or withdraws the access, a
one-time code is sent to the contact, a code is checked; the person ties their FranceConnect
identity, which then opens their access.

The same answer whether a contact is known or not: ``code_send`` returns nothing, and
``code_check`` refuses with one message for a wrong, expired, used or unknown code; only the
pause after too many tries says so, and it falls on unknown contacts too.
"""

import datetime
import hashlib
import logging
import math
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from casework import journal, permissions
from casework.enums import OPEN_STATES, JournalChannel, MessageKind
from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.messages import phones
from casework.models import Case, SpaceAccess, SpaceCode
from casework.services._base import lock_access_in_force, save, save_as_person
from casework.space import delivery
from partners.errors import DomainError, InvalidTransition
from partners.models import Professional

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_VALIDITY = datetime.timedelta(minutes=10)
#: Wrong codes for one contact before the pause; the pause's length.
MAX_CODE_FAILURES = 5
PAUSE_SECONDS = 15 * 60

WRONG_CODE = (
    "Ce code ne permet pas de vous connecter. Vérifiez les 6 chiffres, ou demandez un nouveau "
    "code : un code sert une seule fois et pendant 10 minutes."
)


def normalise_contact(contact: str) -> str:
    """An e-mail address lower-cased, a mobile number in E.164 (« 06 12 34 56 78 » and
    « +33612345678 » are one contact, for the pause too); what cannot be read as either is
    returned trimmed and lower-cased (it opens nothing)."""
    contact = contact.strip()
    if "@" in contact or not contact:
        return contact.lower()
    try:
        return phones.normalise_mobile(contact)
    except InvalidInput:
        return contact.lower()


def is_phone(contact: str) -> bool:
    """A normalised contact that is a mobile number (E.164)."""
    return contact.startswith("+")


def shown_contact(contact: str) -> str:
    """As the person writes it: « 06 12 34 56 78 », or the e-mail address."""
    return phones.display(contact) if is_phone(contact) else contact


def _active_with(contact: str) -> "QuerySet[SpaceAccess]":
    """The invitations in force whose contact is ``contact`` (normalised)."""
    if is_phone(contact):
        return SpaceAccess.objects.active().filter(phone=contact)
    return SpaceAccess.objects.active().filter(email__iexact=contact)


class CodeRefused(DomainError):
    """A code that does not open the space. ``reason`` (``wrong``, ``expired``, ``used``,
    ``paused``) is for the tests and the logs: the person reads one message (``WRONG_CODE``)
    whatever it is, but for the pause."""

    def __init__(self, reason: str, minutes_left: int = 0) -> None:
        if reason == "paused":
            message = (
                "Trop d'essais de code. Pour votre sécurité, attendez "
                f"{minutes_left} minute{'s' if minutes_left > 1 else ''} puis demandez un "
                "nouveau code."
            )
        else:
            message = WRONG_CODE
        super().__init__(message)
        self.reason = reason
        self.minutes_left = minutes_left


def _check_member(acting_user: Professional, case: Case) -> None:
    if not permissions.can_change_case(acting_user, case):
        raise InvalidTransition("Seul le binôme de la personne l'invite dans son espace.")


@transaction.atomic
def space_invite(
    *,
    case: Case,
    acting_user: Professional,
    email: str = "",
    phone: str = "",
    info: RequestInfo | None = None,
) -> SpaceAccess:
    """A member of the binôme invites the person into their space, at the e-mail address or the
    mobile number the person gave (one of the two): the invitation leaves by that channel
    through the outbox, and so will the codes. It replaces nothing: withdraw first."""
    _check_member(acting_user, case)
    if case.state not in OPEN_STATES:
        raise InvalidTransition(
            "L'accompagnement est « "
            f"{case.get_state_display()} » : la personne ne peut plus être invitée."
        )
    email = email.strip().lower()
    if email and phone.strip():
        raise InvalidInput(
            "Indiquez soit une adresse électronique, soit un numéro de portable.", "contact"
        )
    phone = phones.normalise_mobile(phone, field="contact") if phone.strip() else ""
    if not email and not phone:
        raise InvalidInput(
            "Indiquez l'adresse électronique ou le numéro de portable de la personne.", "contact"
        )
    beneficiary = case.beneficiary
    if SpaceAccess.objects.active().filter(beneficiary=beneficiary).exists():
        raise InvalidTransition("La personne a déjà accès à son espace.")
    if _active_with(phone or email).exists():
        raise InvalidInput(
            f"{'Ce numéro' if phone else 'Cette adresse'} donne déjà accès à l'espace d'une "
            f"autre personne : demandez à la personne {'un numéro' if phone else 'une adresse'} "
            "qui lui est propre.",
            "contact",
        )
    access = SpaceAccess(
        beneficiary=beneficiary, case=case, email=email, phone=phone, created_by=acting_user
    )
    save(access, acting_user)
    organisation = acting_user.organisation
    delivery.send(
        case=case,
        channel=access.channel,
        contact=access.contact,
        kind=MessageKind.SPACE_INVITATION,
        values={
            "prenom_referent": acting_user.first_name,
            "organisation": organisation.name if organisation else "",
            "lien_espace": f"{settings.BINOME_SITE_URL}{reverse('space_login')}",
        },
        key=f"space-invitation:{access.pk}",
        acting_user=acting_user,
        email_postscript=(
            "Une fois dans votre espace, vous pourrez y lier votre compte FranceConnect pour "
            "entrer ensuite sans code."
            if settings.BINOME_FRANCECONNECT_ENABLED
            else ""
        ),
    )
    journal.record(
        department=case.pair.department,
        actor=acting_user,
        channel=JournalChannel.GRANT,
        purpose="Invitation de la personne dans son espace",
        case=case,
        recipient="la personne accompagnée",
        object_type="accès à l'espace de la personne",
        object_id=str(access.pk),
        info=info,
    )
    return access


@transaction.atomic
def space_withdraw(
    *, access: SpaceAccess, acting_user: Professional, info: RequestInfo | None = None
) -> SpaceAccess:
    """Withdraw the person's access: their sessions end at their next request."""
    access = (
        SpaceAccess.objects.select_for_update()
        .select_related("case__pair__department", "case__beneficiary")
        .get(pk=access.pk)
    )
    case = access.case
    _check_member(acting_user, case)
    if not access.is_active:
        raise InvalidTransition("Cet accès a déjà été retiré.")
    access.withdrawn_at = timezone.now()
    access.withdrawn_by = acting_user
    save(access, acting_user)
    journal.record(
        department=case.pair.department,
        actor=acting_user,
        channel=JournalChannel.REVOKE,
        purpose="Retrait de l'accès de la personne à son espace",
        case=case,
        recipient="la personne accompagnée",
        object_type="accès à l'espace de la personne",
        object_id=str(access.pk),
        info=info,
    )
    return access


# The pause: wrong codes counted per contact in the cache, known or not (the same answer).


@dataclass(frozen=True)
class _Counter:
    key: str

    @classmethod
    def of(cls, contact: str) -> "_Counter":
        digest = hashlib.sha256(normalise_contact(contact).encode()).hexdigest()
        return cls(f"binome:space-code-failures:{digest}")

    def minutes_left(self) -> int:
        """Minutes of pause left, 0 when the contact may try (or the cache is unreachable: the
        pause fails open like the professionals' throttle; a code still dies after 5 wrong
        tries, counted on its row)."""
        try:
            record = cache.get(self.key)
        except Exception as error:
            logger.warning("espace de la personne : cache injoignable (%s)", type(error).__name__)
            return 0
        now = time.time()
        if record and record["count"] >= MAX_CODE_FAILURES and record["until"] > now:
            return max(1, math.ceil((float(record["until"]) - now) / 60))
        return 0

    def fail(self) -> int:
        now = time.time()
        try:
            record = cache.get(self.key)
            if not record or record["until"] <= now:
                record = {"count": 0, "until": now + PAUSE_SECONDS}
            record["count"] += 1
            if record["count"] >= MAX_CODE_FAILURES:
                record["until"] = now + PAUSE_SECONDS  # the pause runs from the last wrong try
            cache.set(self.key, record, timeout=PAUSE_SECONDS)
        except Exception as error:
            logger.warning("espace de la personne : cache injoignable (%s)", type(error).__name__)
            return 0
        return int(record["count"])

    def clear(self) -> None:
        try:
            cache.delete(self.key)
        except Exception as error:
            logger.warning("espace de la personne : cache injoignable (%s)", type(error).__name__)


def _hash(access_id: int, code: str) -> str:
    return salted_hmac("binome.space.code", f"{access_id}:{code}", algorithm="sha256").hexdigest()


@transaction.atomic
def code_send(*, contact: str) -> str | None:
    """Send a new one-time code if ``contact`` is the contact of an invitation in force (and no
    pause holds it); the previous codes stop working. Returns the code for the tests and the
    demo's console only; the view shows the same page whatever happens."""
    contact = normalise_contact(contact)
    if not contact or _Counter.of(contact).minutes_left():
        return None
    access = _active_with(contact).select_related("beneficiary", "case__pair__department").first()
    if access is None:
        return None
    now = timezone.now()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = SpaceCode.objects.create(
        access=access,
        code_hash=_hash(access.pk, code),
        created_at=now,
        expires_at=now + CODE_VALIDITY,
    )
    delivery.send(
        case=access.case,
        channel=access.channel,
        contact=access.contact,
        kind=MessageKind.SPACE_CODE,
        values={"code": code},
        key=f"space-code:{row.pk}",
        acting_user=None,
    )
    return code


def code_check(*, contact: str, code: str) -> SpaceAccess:
    """The invitation in force that ``code`` opens for ``contact``; ``CodeRefused`` otherwise.

    Counted wrong tries outlive the transaction: the counter is in the cache and the code row's
    failures are saved before the refusal is raised."""
    counter = _Counter.of(contact)
    minutes_left = counter.minutes_left()
    if minutes_left:
        raise CodeRefused("paused", minutes_left)
    reason, access = _check(normalise_contact(contact), code.strip())
    if access is not None:
        counter.clear()
        return access
    if counter.fail() >= MAX_CODE_FAILURES:
        logger.info("espace de la personne : pause après %s codes erronés", MAX_CODE_FAILURES)
    raise CodeRefused(reason)


@transaction.atomic
def _check(contact: str, code: str) -> tuple[str, SpaceAccess | None]:
    """The access the code opens (the code is spent, the visit recorded), or why not."""
    access = _active_with(contact).first()
    if access is None:
        return "wrong", None
    row = (
        SpaceCode.objects.select_for_update().filter(access=access).order_by("-created_at").first()
    )
    if row is None or row.failures >= MAX_CODE_FAILURES:
        return "wrong", None
    if not constant_time_compare(row.code_hash, _hash(access.pk, code)):
        row.failures += 1
        row.save(update_fields=["failures"])
        return "wrong", None
    now = timezone.now()
    if row.used_at is not None:
        return "used", None
    if row.expires_at <= now:
        return "expired", None
    row.used_at = now
    row.save(update_fields=["used_at"])
    access.last_visit_at = now
    save_as_person(access, access.pk)
    return "", access


# FranceConnect: an identity opens the access it was tied to, by the person, from their space.


@transaction.atomic
def franceconnect_login(*, sub: str) -> SpaceAccess | None:
    """The invitation in force tied to the FranceConnect identity ``sub`` (the visit recorded),
    or None: an identity nobody tied opens nothing, whoever it names (never a name match)."""
    if not sub:
        return None
    access = (
        SpaceAccess.objects.active()
        .select_for_update()
        .select_related("beneficiary", "case__pair__department")
        .filter(franceconnect_sub=sub)
        .first()
    )
    if access is None:
        return None
    access.last_visit_at = timezone.now()
    save_as_person(access, access.pk)
    return access


def _set_franceconnect(
    access: SpaceAccess, sub: str, purpose: str, info: RequestInfo | None
) -> SpaceAccess:
    """Tie (or, with an empty ``sub``, untie) the identity: the person's act, journaled."""
    access.franceconnect_sub = sub
    save_as_person(access, access.pk)
    journal.record_person_act(
        case=access.case,
        purpose=purpose,
        object_type="accès à l'espace de la personne",
        object_id=str(access.pk),
        info=info,
    )
    return access


@transaction.atomic
def franceconnect_untie(*, access: SpaceAccess, info: RequestInfo | None = None) -> SpaceAccess:
    """The person unties their FranceConnect identity: FranceConnect no longer opens their
    space. Journaled as the person's act."""
    access = lock_access_in_force(access)
    if not access.franceconnect_sub:
        raise InvalidTransition("Aucun compte FranceConnect n'est lié à votre espace.")
    return _set_franceconnect(
        access, "", "Fin de la liaison de son compte FranceConnect à son espace", info
    )


@transaction.atomic
def franceconnect_tie(
    *, access: SpaceAccess, sub: str, info: RequestInfo | None = None
) -> SpaceAccess:
    """The person, logged in to their space, ties their FranceConnect identity ``sub`` to their
    access: from then on FranceConnect opens it. Replaces an identity tied before; refused when
    the identity opens another access in force. Journaled as the person's act."""
    access = lock_access_in_force(access)
    if not sub:
        raise InvalidTransition("FranceConnect n'a pas donné d'identité.")
    if access.franceconnect_sub == sub:
        return access
    if SpaceAccess.objects.active().filter(franceconnect_sub=sub).exclude(pk=access.pk).exists():
        raise InvalidTransition(
            "Ce compte FranceConnect est déjà lié à un autre espace : il ne peut pas être lié "
            "au vôtre. Continuez à vous connecter avec un code."
        )
    return _set_franceconnect(access, sub, "Liaison de son compte FranceConnect à son espace", info)
