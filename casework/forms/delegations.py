"""Form of a remplacement: who is away, who stands in, when, and for which accompagnements."""

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import QuerySet

from casework.forms._common import DATE_WIDGET, CaseChoiceField, DomainErrorsMixin
from casework.models import Case
from partners.forms import PlausibleDateField
from partners.models import Professional

if TYPE_CHECKING:  # Django's ModelChoiceField takes no subscript at run time (see _common)
    _ProfessionalModelChoiceField = forms.ModelChoiceField[Professional]
else:
    _ProfessionalModelChoiceField = forms.ModelChoiceField


class ProfessionalChoiceField(_ProfessionalModelChoiceField):
    def label_from_instance(self, obj: Professional) -> str:
        organisation = obj.organisation.name if obj.organisation else ""
        return f"{obj.full_name} — {obj.get_role_display()}, {organisation}"


class DelegationForm(DomainErrorsMixin, forms.Form):
    """A remplacement: who, by whom, when, and (for one's own) which accompagnements."""

    replaced = ProfessionalChoiceField(
        label="Professionnel·le absent·e", queryset=Professional.objects.none()
    )
    delegate = ProfessionalChoiceField(
        label="Remplaçant·e",
        queryset=Professional.objects.none(),
        help_text="Du même métier : un·e conseiller·ère pour un·e conseiller·ère, un·e "
        "travailleur·se social·e pour un·e travailleur·se social·e.",
    )
    starts_on = PlausibleDateField(label="Du", widget=DATE_WIDGET)
    ends_on = PlausibleDateField(
        label="Au (inclus)",
        widget=DATE_WIDGET,
        help_text="Le lendemain, les droits du remplaçant·e cessent d'eux-mêmes.",
    )
    reason = forms.CharField(label="Motif", max_length=255)
    cases = CaseChoiceField(
        label="Accompagnements confiés",
        queryset=Case.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Aucune case cochée : tous vos accompagnements en cours.",
    )

    def __init__(
        self,
        *args: Any,
        replaceable: QuerySet[Professional],
        delegates: QuerySet[Professional],
        own_cases: QuerySet[Case] | None,
        **kwargs: Any,
    ) -> None:
        """``own_cases``: the open cases of the user when they organise their own remplacement
        (None: every open case of the replaced professional, without a choice)."""
        super().__init__(*args, **kwargs)
        cast(ProfessionalChoiceField, self.fields["replaced"]).queryset = replaceable
        cast(ProfessionalChoiceField, self.fields["delegate"]).queryset = delegates
        if own_cases is None:
            del self.fields["cases"]
        else:
            cast(CaseChoiceField, self.fields["cases"]).queryset = own_cases
