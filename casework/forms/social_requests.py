"""Forms of the demandes ponctuelles (axis 1): the request, its answer, its turn into a case."""

import datetime
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from casework import services
from casework.enums import ObstacleCategory, PersonAgreementMethod
from casework.errors import InvalidInput
from casework.forms._common import DATE_WIDGET, DomainErrorsMixin
from partners.forms import PairChoiceField, PlausibleDateField
from partners.models import Organisation, Pair


class SocialRequestForm(DomainErrorsMixin, forms.Form):
    """A « demande ponctuelle » about a person followed outside a binôme (axis 1)."""

    person_agreed = forms.BooleanField(
        label="La personne est d'accord pour que sa situation soit soumise aux "
        "correspondant·es sociaux·ales de son territoire",
        required=False,
    )
    agreement_method = forms.ChoiceField(
        label="Accord recueilli", choices=PersonAgreementMethod.choices
    )
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    birth_date = PlausibleDateField(label="Date de naissance", widget=DATE_WIDGET)
    france_travail_id = forms.CharField(
        label="Identifiant France Travail", max_length=20, required=False
    )
    postal_code = forms.CharField(label="Code postal", max_length=5, required=False)
    city = forms.CharField(label="Commune", max_length=100, required=False)
    territory = forms.ModelChoiceField(
        label="Territoire de la personne",
        queryset=Organisation.objects.none(),
        help_text="Les correspondant·es sociaux·ales de ce territoire recevront la demande.",
    )
    category = forms.ChoiceField(label="Difficulté", choices=ObstacleCategory.choices)
    question = forms.CharField(
        label="Question",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Ce que vous demandez, et seulement ce qui est utile pour y répondre.",
    )
    due_on = PlausibleDateField(
        label="Réponse attendue le",
        widget=DATE_WIDGET,
        required=False,
        help_text="Quinze jours par défaut.",
    )

    IDENTITY = ("first_name", "last_name", "birth_date", "france_travail_id", "postal_code", "city")

    def __init__(
        self,
        *args: Any,
        territories: QuerySet[Organisation],
        known_person: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(
            "forms.ModelChoiceField[Organisation]", self.fields["territory"]
        ).queryset = territories
        if known_person:  # a further request about the person of an earlier one
            for name in self.IDENTITY:
                del self.fields[name]

    def clean_birth_date(self) -> datetime.date:
        birth_date: datetime.date = self.cleaned_data["birth_date"]
        try:
            services.check_birth_date(birth_date)
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from error
        return birth_date


class SocialRequestAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Réponse", max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class SocialRequestToCaseForm(forms.Form):
    pair = PairChoiceField(
        label="Binôme qui propose l'accompagnement", queryset=Pair.objects.none()
    )

    def __init__(self, *args: Any, pairs: list[Pair], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pair_field = cast(PairChoiceField, self.fields["pair"])
        pair_field.queryset = Pair.objects.filter(pk__in=[p.pk for p in pairs]).with_members()
