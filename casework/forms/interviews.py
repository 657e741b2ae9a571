"""Forms of interviews, notes and points binôme."""

import datetime
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone

from casework import services
from casework.enums import InterviewChannel, PairContactChannel
from casework.errors import InvalidInput
from casework.forms._common import DATE_WIDGET, CaseChoiceField, DomainErrorsMixin
from casework.models import Case, Interview
from partners.forms import PlausibleDateField
from partners.models import Pair

if TYPE_CHECKING:  # Django's ModelForm takes no subscript at run time (see _common)
    _InterviewModelForm = forms.ModelForm[Interview]
else:
    _InterviewModelForm = forms.ModelForm


class InterviewForm(DomainErrorsMixin, _InterviewModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Interview
        fields = (
            "occurred_on",
            "channel",
            "three_way",
            "interpreter",
            "summary",
            "next_appointment_on",
        )
        field_classes = {
            "occurred_on": PlausibleDateField,
            "next_appointment_on": PlausibleDateField,
        }
        widgets = {
            "occurred_on": DATE_WIDGET,
            "next_appointment_on": DATE_WIDGET,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "summary": "Visible par les deux membres du binôme. Rien de couvert par le secret ici.",
        }

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "occurred_on": timezone.localdate(),
                "channel": InterviewChannel.IN_PERSON,
                "version": case.version,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["next_appointment_on"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        occurred_on = self.cleaned_data.get("occurred_on")
        if isinstance(occurred_on, datetime.date):
            next_appointment_on: datetime.date | None = self.cleaned_data.get("next_appointment_on")
            try:
                services.check_interview_dates(occurred_on, next_appointment_on)
            except InvalidInput as error:
                self.add_domain_error(error)
        return self.cleaned_data


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class PairContactForm(forms.Form):
    occurred_on = PlausibleDateField(label="Date", widget=DATE_WIDGET)
    channel = forms.ChoiceField(label="Modalité", choices=PairContactChannel.choices)
    cases = CaseChoiceField(label="Situations évoquées", queryset=Case.objects.none())
    summary = forms.CharField(
        label="Synthèse", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, pair: Pair, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cases_field = cast(CaseChoiceField, self.fields["cases"])
        cases_field.queryset = (
            Case.objects.open()
            .filter(pair=pair)
            .select_related("beneficiary")
            .order_by("beneficiary__last_name", "beneficiary__first_name")
        )
