"""Forms of the person's rights (rectification, requests) and of the DPO's pages."""

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone

from casework.enums import PersonRequestKind
from casework.forms._common import DATE_WIDGET, DomainErrorsMixin
from casework.models import Beneficiary
from partners.forms import PlausibleDateField

if TYPE_CHECKING:  # Django's ModelForm takes no subscript at run time (see _common)
    _BeneficiaryModelForm = forms.ModelForm[Beneficiary]
else:
    _BeneficiaryModelForm = forms.ModelForm


class IdentityRectificationForm(DomainErrorsMixin, _BeneficiaryModelForm):
    """The person's identity as it should be; only what changed is recorded."""

    reason = forms.CharField(
        label="Pourquoi la personne demande cette correction",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
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
            "education_level",
        )
        field_classes = {"birth_date": PlausibleDateField}
        widgets = {"birth_date": DATE_WIDGET}


class InterviewRectificationForm(forms.Form):
    interview = forms.IntegerField(widget=forms.HiddenInput)
    summary = forms.CharField(
        label="Compte rendu corrigé", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    reason = forms.CharField(
        label="Ce que la personne conteste, et pourquoi",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class PersonRequestForm(forms.Form):
    kind = forms.ChoiceField(label="Nature de la demande", choices=PersonRequestKind.choices)
    text = forms.CharField(
        label="Ce que la personne demande, dans ses mots",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    received_on = PlausibleDateField(label="Reçue le", widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class PersonRequestAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Réponse apportée à la personne",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class PersonSearchForm(forms.Form):
    search = forms.CharField(
        label="Nom, prénom ou identifiant France Travail", max_length=100, required=True
    )


class DisposalApprovalForm(forms.Form):
    visa_reference = forms.CharField(
        label="Référence du visa d'élimination des Archives départementales",
        max_length=100,
        required=False,
    )
    approved_on = PlausibleDateField(label="Visa donné le", widget=DATE_WIDGET)
    beneficiaries = forms.TypedMultipleChoiceField(
        label="Dossiers couverts par le visa",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, candidates: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedMultipleChoiceField, self.fields["beneficiaries"])
        field.choices = [(pk, f"Personne n°{pk}") for pk in candidates]
