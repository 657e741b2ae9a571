"""Form of the accord de partage: what the person agrees to share with the advisor."""

from django import forms

from casework.enums import AgreementMethod, ShareCategory
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
    how_obtained = forms.ChoiceField(label="Recueilli par", choices=AgreementMethod.choices)
    expires_on = PlausibleDateField(
        label="Valable jusqu'au",
        widget=DATE_WIDGET,
        required=False,
        help_text="Par défaut : la fin prévue de l'accompagnement, plus un mois.",
    )
