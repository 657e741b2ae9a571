"""Form of the accord de partage: what the person agrees to share with the advisor."""

from django import forms

from casework.enums import PROFESSIONAL_AGREEMENT_METHODS, ShareCategory
from casework.forms._common import DATE_WIDGET
from partners.forms import PlausibleDateField


class AgreementForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label="Ce que la personne accepte de partager avec le ou la conseiller·ère",
        choices=ShareCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Cochez au moins une catégorie que la personne accepte de partager."
        },
    )
    #: The person's own space is not a way for a professional to record it.
    how_obtained = forms.ChoiceField(
        label="Recueilli par",
        choices=[(method.value, method.label) for method in PROFESSIONAL_AGREEMENT_METHODS],
    )
    expires_on = PlausibleDateField(
        label="Valable jusqu'au",
        widget=DATE_WIDGET,
        required=False,
        help_text="Par défaut : la fin prévue de l'accompagnement, plus un mois.",
    )
