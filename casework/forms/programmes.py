"""Forms of the actions collectives: a programme, its séances, an enrolment from a case."""

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import QuerySet

from casework.enums import PersonAgreementMethod
from casework.forms._common import DATE_WIDGET
from casework.models import Programme
from partners.forms import PlausibleDateField, PlausibleDateTimeField
from partners.models import Department, Organisation

if TYPE_CHECKING:  # Django's classes take no subscript at run time (see _common)
    _ProgrammeModelChoiceField = forms.ModelChoiceField[Programme]
    _ProgrammeModelForm = forms.ModelForm[Programme]
else:
    _ProgrammeModelChoiceField = forms.ModelChoiceField
    _ProgrammeModelForm = forms.ModelForm


class ProgrammeChoiceField(_ProgrammeModelChoiceField):
    def label_from_instance(self, obj: Programme) -> str:
        return (
            f"{obj.name} — {obj.organiser.name}, du {obj.starts_on:%d/%m/%Y} "
            f"au {obj.ends_on:%d/%m/%Y} ({obj.target_group})"
        )


class EnrolmentForm(forms.Form):
    programme = ProgrammeChoiceField(label="Action collective", queryset=Programme.objects.none())
    person_agreed = forms.BooleanField(
        label="La personne est d'accord pour être inscrite (son nom figurera sur la feuille "
        "d'émargement de l'organisateur)",
        required=False,
    )
    agreement_method = forms.ChoiceField(
        label="Accord recueilli", choices=PersonAgreementMethod.choices
    )

    def __init__(self, *args: Any, programmes: QuerySet[Programme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ProgrammeChoiceField, self.fields["programme"]).queryset = programmes


class ProgrammeForm(_ProgrammeModelForm):
    class Meta:
        model = Programme
        fields = (
            "name",
            "organiser",
            "target_group",
            "description",
            "starts_on",
            "ends_on",
            "capacity",
        )
        field_classes = {"starts_on": PlausibleDateField, "ends_on": PlausibleDateField}
        widgets = {
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, department: Department, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            "forms.ModelChoiceField[Organisation]", self.fields["organiser"]
        ).queryset = Organisation.objects.filter(department=department).order_by("name")


class ProgrammeSessionForm(forms.Form):
    starts_at = PlausibleDateTimeField(label="Date et heure")
    topic = forms.CharField(label="Thème", max_length=150)
    place = forms.CharField(label="Lieu", max_length=255, required=False)
