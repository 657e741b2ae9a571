"""What each kind of message may say: its placeholders, the plain-French defaults, the checks a
department's template passes at save, and the SMS length in segments.

A message carries a date, a time, a place, the référent·e's first name, their organisation and how
to reach them (or a link, or a code): never anything about the person's situation. The
placeholders are the only data a template can hold, and none carries social content; a template
that names a sanction, an absence or a difficulty is refused at save.
"""

import re
import string
import unicodedata
from dataclasses import dataclass

from casework.enums import MessageChannel, MessageKind
from casework.errors import InvalidInput

#: Every placeholder, with what it becomes (shown to the administrator who edits a template).
PLACEHOLDERS = {
    "date": "la date du rendez-vous (« mardi 8 décembre »)",
    "heure": "l'heure du rendez-vous (« 14h30 »)",
    "lieu": "le lieu du rendez-vous",
    "prenom_referent": "le prénom du ou de la référent·e",
    "organisation": "l'organisation du ou de la référent·e",
    "contact": "comment joindre le ou la référent·e",
    "lien_espace": "l'adresse de l'espace de la personne",
    "code": "le code de connexion à 6 chiffres",
}
_APPOINTMENT = ("date", "heure", "lieu", "prenom_referent", "organisation", "contact")
#: The placeholders each kind may use.
ALLOWED = {
    MessageKind.FIRST_INVITATION: _APPOINTMENT,
    MessageKind.CONVOCATION: _APPOINTMENT,
    MessageKind.REMINDER: _APPOINTMENT,
    MessageKind.CHANGE: _APPOINTMENT,
    MessageKind.CANCELLATION: ("date", "heure", "prenom_referent", "organisation", "contact"),
    MessageKind.SPACE_INVITATION: ("prenom_referent", "organisation", "lien_espace"),
    MessageKind.SPACE_CODE: ("code",),
    MessageKind.NEW_DOCUMENT: ("organisation", "lien_espace"),
}
#: Values as long as real ones may be, to count a template's SMS segments before any is sent.
LONGEST = {
    "date": "mercredi 30 septembre",
    "heure": "14h30",
    "lieu": "Agence France Travail, 12 avenue de la République",
    "prenom_referent": "Marie-Christine",
    "organisation": "Maison départementale des solidarités",
    "contact": "03 81 00 00 00",
    "lien_espace": "https://binome.example.fr/mon-espace/",
    "code": "123456",
}
#: The defaults' SMS keep to the GSM alphabet (« Binome », no « ê » or « ç »): an SMS in
#: Unicode holds 70 characters a segment instead of 160.
#: An SMS longer than this many segments is refused at save (cost, and it arrives in pieces).
MAX_SMS_SEGMENTS = 3

_SMS_CLOSING = " Ne pas répondre à ce SMS."
DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    (MessageKind.FIRST_INVITATION, MessageChannel.SMS): (
        "",
        "Bonjour, {prenom_referent} ({organisation}) vous propose un premier rendez-vous le "
        "{date} à {heure}, {lieu}. Pour le changer : {contact}." + _SMS_CLOSING,
    ),
    (MessageKind.FIRST_INVITATION, MessageChannel.EMAIL): (
        "Votre premier rendez-vous le {date}",
        "Bonjour,\n\n{prenom_referent} ({organisation}) vous propose un premier rendez-vous :\n"
        "le {date} à {heure}\n{lieu}\n\nSi ce moment ne vous convient pas, dites-le : {contact}."
        "\n\nÀ bientôt.",
    ),
    (MessageKind.CONVOCATION, MessageChannel.SMS): (
        "",
        "Bonjour, vous avez rendez-vous le {date} à {heure}, {lieu}, avec {prenom_referent} "
        "({organisation}). Pour le changer : {contact}." + _SMS_CLOSING,
    ),
    (MessageKind.CONVOCATION, MessageChannel.EMAIL): (
        "Votre rendez-vous le {date} à {heure}",
        "Bonjour,\n\nVous avez rendez-vous avec {prenom_referent} ({organisation}) :\n"
        "le {date} à {heure}\n{lieu}\n\nSi vous ne pouvez pas venir, prévenez le plus tôt "
        "possible : {contact}.\n\nÀ bientôt.",
    ),
    (MessageKind.REMINDER, MessageChannel.SMS): (
        "",
        "Rappel : rendez-vous le {date} à {heure}, {lieu}, avec {prenom_referent} "
        "({organisation}). Pour le changer : {contact}." + _SMS_CLOSING,
    ),
    (MessageKind.REMINDER, MessageChannel.EMAIL): (
        "Rappel : votre rendez-vous le {date} à {heure}",
        "Bonjour,\n\nPetit rappel : vous avez rendez-vous avec {prenom_referent} "
        "({organisation}) le {date} à {heure}, {lieu}.\n\nUn empêchement ? Prévenez : "
        "{contact}.\n\nÀ bientôt.",
    ),
    (MessageKind.CHANGE, MessageChannel.SMS): (
        "",
        "Bonjour, votre rendez-vous avec {prenom_referent} ({organisation}) change : le {date} "
        "à {heure}, {lieu}. Une question : {contact}." + _SMS_CLOSING,
    ),
    (MessageKind.CHANGE, MessageChannel.EMAIL): (
        "Votre rendez-vous change : le {date} à {heure}",
        "Bonjour,\n\nVotre rendez-vous avec {prenom_referent} ({organisation}) a changé. Il a "
        "lieu :\nle {date} à {heure}\n{lieu}\n\nUne question : {contact}.\n\nÀ bientôt.",
    ),
    (MessageKind.CANCELLATION, MessageChannel.SMS): (
        "",
        "Bonjour, votre rendez-vous du {date} à {heure} avec {prenom_referent} ({organisation}) "
        "est annulé. Une question : {contact}." + _SMS_CLOSING,
    ),
    (MessageKind.CANCELLATION, MessageChannel.EMAIL): (
        "Votre rendez-vous du {date} est annulé",
        "Bonjour,\n\nVotre rendez-vous du {date} à {heure} avec {prenom_referent} "
        "({organisation}) est annulé. Vous serez recontacté·e pour un autre rendez-vous.\n\n"
        "Une question : {contact}.",
    ),
    (MessageKind.SPACE_INVITATION, MessageChannel.SMS): (
        "",
        "Bonjour, {prenom_referent} ({organisation}) vous invite dans votre espace Binome pour "
        "suivre votre accompagnement : {lien_espace}" + _SMS_CLOSING,
    ),
    (MessageKind.SPACE_INVITATION, MessageChannel.EMAIL): (
        "Votre espace Binôme est ouvert",
        "Bonjour,\n\n{prenom_referent} ({organisation}) vous invite dans votre espace "
        "personnel, où vous pouvez suivre votre accompagnement et vos rendez-vous.\n\n"
        "Pour vous connecter, ouvrez {lien_espace} : vous recevrez un code à 6 chiffres.\n\n"
        "Si vous n'attendiez pas ce message, vous pouvez l'ignorer.",
    ),
    (MessageKind.SPACE_CODE, MessageChannel.SMS): (
        "",
        "Votre code pour entrer dans votre espace Binome : {code}. Il sert une seule fois, "
        "pendant 10 minutes. Ne le donnez à personne.",
    ),
    (MessageKind.SPACE_CODE, MessageChannel.EMAIL): (
        "Votre code de connexion : {code}",
        "Bonjour,\n\nVotre code pour entrer dans votre espace Binôme : {code}\n\nIl sert une "
        "seule fois, pendant 10 minutes. Ne le donnez à personne.\n\nSi vous n'avez pas "
        "demandé ce code, vous pouvez ignorer ce message.",
    ),
    (MessageKind.NEW_DOCUMENT, MessageChannel.SMS): (
        "",
        "Bonjour, un nouveau document est disponible dans votre espace Binome : {lien_espace}"
        + _SMS_CLOSING,
    ),
    (MessageKind.NEW_DOCUMENT, MessageChannel.EMAIL): (
        "Un nouveau document est disponible dans votre espace",
        "Bonjour,\n\n{organisation} a déposé un nouveau document dans votre espace Binôme. "
        "Pour le lire : {lien_espace}",
    ),
}

#: Words a message to the person never says (DESIGN.md: never about an absence, a breach
#: report, a sanction or an RSA decision; never social content). Compared without accents.
FORBIDDEN_WORDS = (
    "sanction",
    "radiation",
    "radie",
    "suspension",
    "suspendu",
    "absence",
    "absent",
    "manquement",
    "rsa",
    "allocation",
    "sante",
    "medical",
    "dette",
    "endettement",
    "handicap",
)
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class SmsLength:
    characters: int
    segments: int
    #: « GSM » (160 characters, 153 a part) or « Unicode » (70, 67 a part: an accent outside the
    #: GSM alphabet, such as « ê » or « ç », halves what a segment holds).
    encoding: str


# GSM 03.38: the basic alphabet (one unit) and its extension table (two units).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def sms_length(text: str) -> SmsLength:
    """How many SMS segments ``text`` takes, as operators count them."""
    if all(char in _GSM_BASIC or char in _GSM_EXTENDED for char in text):
        units = sum(2 if char in _GSM_EXTENDED else 1 for char in text)
        single, part, encoding = 160, 153, "GSM"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "Unicode"
    segments = 1 if units <= single else -(-units // part)
    return SmsLength(characters=units, segments=segments, encoding=encoding)


def default(kind: str, channel: str) -> tuple[str, str]:
    """The product's own subject and text of a kind of message on a channel."""
    return DEFAULTS[(kind, channel)]


def placeholders_of(text: str) -> list[str]:
    """The placeholders ``text`` uses, in order; ``InvalidInput`` if a brace is misplaced."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise InvalidInput(
            "Une accolade n'est pas fermée : écrivez les informations comme « {date} » ; pour "
            "une accolade seule, doublez-la (« {{ »).",
            "body",
        ) from None
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if spec or conversion or not name:
            raise InvalidInput(
                f"« {{{name}}} » n'est pas écrit comme une information du message : écrivez par "
                "exemple « {date} », sans autre signe entre les accolades.",
                "body",
            )
        names.append(name)
    return names


def check(*, kind: str, channel: str, subject: str, body: str) -> None:
    """A department's template, before it is saved: ``InvalidInput`` naming what to change."""
    allowed = ALLOWED[MessageKind(kind)]
    for field, text in (("subject", subject), ("body", body)):
        for name in placeholders_of(text):
            if name not in allowed:
                possible = ", ".join(f"{{{p}}}" for p in allowed)
                raise InvalidInput(
                    f"« {{{name}}} » n'est pas une information que ce message peut contenir. "
                    f"Informations possibles : {possible}.",
                    field,
                )
        plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
        for word in _WORD.findall(plain):
            if any(word.startswith(forbidden) for forbidden in FORBIDDEN_WORDS):
                raise InvalidInput(
                    "Un message à la personne ne parle jamais d'absence, de sanction, de RSA ni "
                    f"de sa situation (santé, dettes…) : retirez « {word} ».",
                    field,
                )
    if not body.strip():
        raise InvalidInput("Écrivez le texte du message.", "body")
    if channel == MessageChannel.EMAIL and not subject.strip():
        raise InvalidInput("Un e-mail a besoin d'un objet.", "subject")
    if channel == MessageChannel.SMS:
        length = sms_length(fill(body, LONGEST))
        if length.segments > MAX_SMS_SEGMENTS:
            raise InvalidInput(
                f"Ce SMS ferait jusqu'à {length.segments} parties ({length.characters} "
                f"caractères, alphabet {length.encoding}) : {MAX_SMS_SEGMENTS} au plus. "
                "Raccourcissez-le.",
                "body",
            )


@dataclass(frozen=True)
class Preview:
    """A wording filled with values as long as real ones (``LONGEST``), and for an SMS its
    length; ``subject`` and ``body`` are empty when the text cannot be filled (a misplaced brace,
    an unknown placeholder)."""

    subject: str
    body: str
    sms: SmsLength | None


def preview(*, kind: str, channel: str, subject: str, body: str) -> Preview:
    """What the person would read, before the wording is saved (it may still be refused)."""
    try:
        filled = (fill(subject, LONGEST), fill(body, LONGEST))
    except (KeyError, ValueError, IndexError):
        return Preview(subject="", body="", sms=None)
    sms = sms_length(filled[1]) if channel == MessageChannel.SMS else None
    return Preview(subject=filled[0], body=filled[1], sms=sms)


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with its placeholders replaced (every placeholder it uses must have a value)."""
    return text.format_map(values)
