from collections.abc import Iterable
from typing import Any

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError

from casework.enums import MessageChannel, ShareCategory
from casework.errors import InvalidInput
from casework.messages import phones


def _contact(raw: str) -> tuple[str, str]:
    """(``email``, ``phone``) from what was typed: an address if it has an « @ », else a mobile
    number (E.164); ``ValidationError`` in French otherwise (a landline says so)."""
    raw = raw.strip()
    if "@" in raw:
        try:
            validators.validate_email(raw)
        except ValidationError:
            raise ValidationError(
                "Cette adresse électronique n'est pas complète (exemple : nom@exemple.fr)."
            ) from None
        return raw.lower(), ""
    try:
        return "", phones.normalise_mobile(raw)
    except InvalidInput as error:
        raise ValidationError(error.message) from None


class ContactForm(forms.Form):
    """The person's login: the e-mail address or the mobile number the invitation went to."""

    contact = forms.CharField(
        label="Votre adresse électronique ou votre numéro de portable",
        help_text=(
            "Celui ou celle que vous avez donné à votre conseiller·ère ou à votre travailleur·se "
            "social·e. Exemples : nom@exemple.fr, 06 12 34 56 78."
        ),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        error_messages={
            "required": "Indiquez votre adresse électronique ou votre numéro de portable.",
        },
    )

    def clean_contact(self) -> str:
        email, phone = _contact(self.cleaned_data["contact"])
        return email or phone


class CodeForm(forms.Form):
    code = forms.RegexField(
        label="Code reçu",
        help_text="6 chiffres.",
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={
            "required": "Indiquez le code reçu.",
            "invalid": "Le code est fait de 6 chiffres.",
        },
    )


class InvitationForm(forms.Form):
    """The professional's side: the address or mobile number the person gave, with their
    agreement."""

    contact = forms.CharField(
        label="Adresse électronique ou numéro de portable de la personne",
        help_text=(
            "Vérifiez-le avec la personne : elle y recevra l'invitation puis ses codes de "
            "connexion, par e-mail ou par SMS. Exemples : nom@exemple.fr, 06 12 34 56 78."
        ),
        max_length=254,
        error_messages={
            "required": (
                "Indiquez l'adresse électronique ou le numéro de portable de la personne."
            ),
        },
    )
    person_agreed = forms.BooleanField(
        label=(
            "La personne est d'accord pour recevoir à cette adresse ou à ce numéro l'invitation "
            "et ses codes"
        ),
        error_messages={"required": "Cochez la case : l'accord de la personne est nécessaire."},
    )

    def clean_contact(self) -> tuple[str, str]:
        return _contact(self.cleaned_data["contact"])


class MessageForm(forms.Form):
    """The person's short message to their binôme."""

    text = forms.CharField(
        label="Votre message",
        help_text=(
            "1000 caractères au plus. Votre référent·e et la personne qui vous accompagne aussi "
            "le liront."
        ),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Écrivez votre message.",
            "max_length": "Votre message est trop long : 1000 caractères au plus.",
        },
    )


class AppointmentChangeForm(forms.Form):
    """Why the person asks to change an appointment."""

    reason = forms.CharField(
        label="Pourquoi souhaitez-vous changer ce rendez-vous ?",
        help_text="Quelques mots suffisent, 1000 caractères au plus.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Dites en quelques mots pourquoi vous souhaitez le changer.",
            "max_length": "Votre message est trop long : 1000 caractères au plus.",
        },
    )


class DataRequestForm(forms.Form):
    """A request about the person's data, to the DPO."""

    kind = forms.ChoiceField(
        label="Ce que je demande",
        choices=[
            ("rectification", "Corriger une information fausse ou incomplète"),
            ("objection", "M'opposer à l'utilisation de mes données"),
            ("access", "Recevoir la copie complète de mes données"),
        ],
        widget=forms.Select,
        error_messages={"required": "Choisissez ce que vous demandez."},
    )
    text = forms.CharField(
        label="Votre demande, avec vos mots",
        help_text="Pour une correction, dites ce qui est faux et ce qui est juste.",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Votre demande est trop longue : 1000 caractères au plus."},
    )


class AgreementGiveForm(forms.Form):
    """The person renews or widens their accord de partage, after reading the notice."""

    categories = forms.MultipleChoiceField(
        label="Ce que j'accepte de partager avec mon binôme",
        choices=ShareCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Cochez au moins une catégorie que vous acceptez de partager.",
            "invalid_choice": "Cette catégorie n'est pas proposée ici.",
        },
    )
    notice_read = forms.BooleanField(
        label="J'ai lu ces informations",
        error_messages={
            "required": (
                "Cochez « J'ai lu ces informations » : c'est nécessaire pour donner votre accord."
            )
        },
    )

    def __init__(self, *args: Any, offered: Iterable[str] | None = None, **kwargs: Any) -> None:
        """``offered``: the categories the person may tick (when widening, those not shared
        yet), in the enum's order."""
        super().__init__(*args, **kwargs)
        if offered is not None:
            kept = set(offered)
            self.fields["categories"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in ShareCategory.choices if value in kept
            ]


class ChannelGiveForm(forms.Form):
    """The person says yes to their convocations and reminders on one channel."""

    address = forms.CharField(
        max_length=254,
        error_messages={"required": "Indiquez où vous voulez recevoir vos messages."},
    )

    def __init__(self, *args: Any, channel: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["address"]
        if channel == MessageChannel.SMS:
            field.label = "Votre numéro de portable"
            field.help_text = "Exemple : 06 12 34 56 78."
            field.widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        else:
            field.label = "Votre adresse électronique"
            field.help_text = "Exemple : nom@exemple.fr."
            field.widget.attrs.update({"autocomplete": "email"})


class BreachObservationsForm(forms.Form):
    """The person's observations on a signalement, in their own words."""

    observations = forms.CharField(
        label="Vos observations",
        help_text=(
            "Expliquez votre situation, ce qui s'est passé ou ce qui vous a empêché·e. Elles sont "
            "envoyées avec le signalement, telles que vous les écrivez."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
