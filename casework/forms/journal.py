"""Form of the auditor's search in the journal of accesses and shares."""

import datetime
from typing import Any, cast

from django import forms

from casework.enums import JournalChannel
from casework.forms._common import DATE_WIDGET
from partners.forms import PlausibleDateField, QuickSelect
from partners.models import Department, Organisation, Professional


class JournalSearchForm(forms.Form):
    person = forms.CharField(
        label="Personne",
        help_text="Nom, prénom ou numéro de la personne",
        max_length=100,
        required=False,
    )
    # A department's few hundred professionals: options written without a template each.
    professional = forms.ModelChoiceField(
        label="Professionnel·le",
        queryset=Professional.objects.none(),
        required=False,
        widget=QuickSelect,
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        required=False,
        widget=QuickSelect,
    )
    start = PlausibleDateField(label="Du", widget=DATE_WIDGET, required=False)
    end = PlausibleDateField(label="Au", widget=DATE_WIDGET, required=False)
    channel = forms.ChoiceField(
        label="Nature", choices=[("", "Toutes"), *JournalChannel.choices], required=False
    )

    def __init__(self, *args: Any, department: Department, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Professional]", self.fields["professional"]).queryset = (
            Professional.objects.filter(organisation__department=department)
            .only("first_name", "last_name")  # what an option shows: hundreds of them
            .order_by("last_name", "first_name")
        )
        cast("forms.ModelChoiceField[Organisation]", self.fields["organisation"]).queryset = (
            Organisation.objects.filter(department=department).only("name").order_by("name")
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        start: datetime.date | None = self.cleaned_data.get("start")
        end: datetime.date | None = self.cleaned_data.get("end")
        if start and end and end < start:
            self.add_error("end", "La fin de la période précède son début.")
        return self.cleaned_data
