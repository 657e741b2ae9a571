"""Forms of a new person with the proposed accompagnement, and of the case's state changes."""

import datetime
from typing import TYPE_CHECKING, Any, cast

from django import forms

from casework import services
from casework.enums import CaseState, ExitReason, SuspensionReason
from casework.errors import InvalidInput
from casework.forms._common import DATE_WIDGET, DomainErrorsMixin
from casework.models import Beneficiary
from partners.forms import PairChoiceField, PlausibleDateField
from partners.models import Pair

if TYPE_CHECKING:  # Django's ModelForm takes no subscript at run time (see _common)
    _BeneficiaryModelForm = forms.ModelForm[Beneficiary]
else:
    _BeneficiaryModelForm = forms.ModelForm


class BeneficiaryForm(DomainErrorsMixin, _BeneficiaryModelForm):
    pair = PairChoiceField(
        label="Binôme qui propose l'accompagnement", queryset=Pair.objects.none()
    )
    not_a_duplicate = forms.BooleanField(
        label="J'ai vérifié : il s'agit d'une autre personne", required=False
    )

    class Meta:
        model = Beneficiary
        fields = (
            "first_name",
            "last_name",
            "birth_date",
            "france_travail_id",
            "phone",
            "email",
            "address",
            "postal_code",
            "city",
            "rsa_paying_body",
            "rsa_number",
            "rsa_role",
            "rsa_rights_and_duties",
            "qpv_resident",
            "education_level",
        )
        field_classes = {"birth_date": PlausibleDateField}
        widgets = {"birth_date": DATE_WIDGET}

    def __init__(self, *args: Any, pairs: list[Pair], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pair_field = cast(PairChoiceField, self.fields["pair"])
        pair_field.queryset = Pair.objects.filter(pk__in=[p.pk for p in pairs]).with_members()
        if len(pairs) == 1:
            pair_field.initial = pairs[0].pk

    def clean_birth_date(self) -> datetime.date:
        birth_date: datetime.date = self.cleaned_data["birth_date"]
        try:
            services.check_birth_date(birth_date)
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from error
        return birth_date


class TransitionForm(forms.Form):
    """One state change of a case, chosen by the button pressed."""

    ACTIONS = {
        "agree": "Enregistrer l'accord de la personne pour entrer",
        "refuse": "Enregistrer le refus de la personne",
        "start": "Démarrer l'accompagnement",
        "suspend": "Suspendre",
        "resume": "Reprendre",
        "close": "Clore l'accompagnement",
    }
    AVAILABLE = {
        CaseState.PROPOSED: ("agree", "refuse"),
        CaseState.DIAGNOSTIC: ("start", "close"),
        CaseState.ACTIVE: ("suspend", "close"),
        CaseState.SUSPENDED: ("resume", "close"),
    }
    #: The changes that stop or end the accompaniment: a confirmation page comes first.
    CONFIRMED = {
        "refuse": "La personne refuse l'accompagnement : il ne sera pas ouvert.",
        "suspend": (
            "L'accompagnement est mis en pause ; sa fin prévue sera repoussée d'autant à la "
            "reprise."
        ),
        "close": "L'accompagnement prend fin aujourd'hui ; il ne pourra plus être repris.",
    }
    DONE = {
        "agree": "L'accord de la personne pour entrer dans l'accompagnement est enregistré.",
        "refuse": "Le refus de la personne est enregistré : l'accompagnement n'est pas ouvert.",
        "start": "L'accompagnement a démarré.",
        "suspend": "L'accompagnement est suspendu.",
        "resume": "L'accompagnement a repris.",
        "close": "L'accompagnement est clos.",
    }
    #: The reason each action needs (empty: none).
    REASONS = {"suspend": "suspension_reason", "close": "exit_reason"}

    action = forms.ChoiceField(choices=list(ACTIONS.items()))
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # Required for the one action that needs each (checked in clean); the page shows each with
    # its own button, marked « obligatoire » there.
    suspension_reason = forms.ChoiceField(
        label="Motif de suspension", choices=[("", "—"), *SuspensionReason.choices], required=False
    )
    exit_reason = forms.ChoiceField(
        label="Motif de sortie", choices=[("", "—"), *ExitReason.choices], required=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.cleaned_data.get("action") == "close" and not self.cleaned_data.get("exit_reason"):
            self.add_error("exit_reason", "Indiquez le motif de sortie.")
        if self.cleaned_data.get("action") == "suspend" and not self.cleaned_data.get(
            "suspension_reason"
        ):
            self.add_error("suspension_reason", "Indiquez le motif de la suspension.")
        return self.cleaned_data
