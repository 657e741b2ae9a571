import datetime
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from casework import services
from casework.enums import (
    AgreementMethod,
    AppointmentOutcome,
    CaseState,
    ExitReason,
    InterviewChannel,
    JournalChannel,
    PairContactChannel,
    ShareCategory,
    SuspensionReason,
)
from casework.errors import InvalidInput
from casework.models import Beneficiary, Case, Interview
from partners.forms import PairChoiceField
from partners.models import Department, Organisation, Pair, Professional

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DomainErrorsMixin:
    """Put a service's InvalidInput next to its field (or on top of the form)."""

    def add_domain_error(self, error: InvalidInput) -> None:
        field = error.field if error.field in self.fields else None  # type: ignore[attr-defined]
        self.add_error(field, error.message)  # type: ignore[attr-defined]


class InterviewForm(DomainErrorsMixin, forms.ModelForm):
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
        widgets = {
            "occurred_on": DATE_WIDGET,
            "next_appointment_on": DATE_WIDGET,
            "summary": forms.Textarea(attrs={"rows": 4}),
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
            try:
                services.check_interview_dates(
                    occurred_on, self.cleaned_data.get("next_appointment_on")
                )
            except InvalidInput as error:
                self.add_domain_error(error)
        return self.cleaned_data


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class BeneficiaryForm(DomainErrorsMixin, forms.ModelForm):
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
        widgets = {"birth_date": DATE_WIDGET}

    def __init__(self, *args: Any, pairs: list[Pair], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pair_field = cast(PairChoiceField, self.fields["pair"])
        pair_field.queryset = Pair.objects.filter(pk__in=[p.pk for p in pairs]).with_members()
        if len(pairs) == 1:
            pair_field.initial = pairs[0].pk

    def clean_birth_date(self) -> datetime.date:
        birth_date = self.cleaned_data["birth_date"]
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

    action = forms.ChoiceField(choices=list(ACTIONS.items()))
    version = forms.IntegerField(widget=forms.HiddenInput)
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


class CaseChoiceField(forms.ModelMultipleChoiceField):
    """Cases shown by the person's name (give it a queryset with ``beneficiary``)."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.beneficiary.full_name


class PairContactForm(forms.Form):
    occurred_on = forms.DateField(label="Date", widget=DATE_WIDGET)
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


class HandoverForm(forms.Form):
    professional = forms.ModelChoiceField(
        label="Professionnel·le qui quitte ses binômes", queryset=Professional.objects.none()
    )
    new_pair = PairChoiceField(label="Binôme qui reprend", queryset=Pair.objects.none())
    reason = forms.CharField(label="Motif", max_length=255)

    def __init__(self, *args: Any, pairs: QuerySet[Pair], **kwargs: Any) -> None:
        """``pairs``: the department's current pairs, with their members."""
        super().__init__(*args, **kwargs)
        cast(PairChoiceField, self.fields["new_pair"]).queryset = pairs
        cast(forms.ModelChoiceField, self.fields["professional"]).queryset = (
            Professional.objects.filter(
                Q(pairs_as_advisor__in=pairs) | Q(pairs_as_social_worker__in=pairs)
            )
            .distinct()
            .order_by("last_name", "first_name")
        )


class CaseHandoverForm(forms.Form):
    new_pair = PairChoiceField(label="Binôme qui reprend", queryset=Pair.objects.none())
    reason = forms.CharField(label="Motif", max_length=255)

    def __init__(self, *args: Any, pairs: QuerySet[Pair], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PairChoiceField, self.fields["new_pair"]).queryset = pairs


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
    expires_on = forms.DateField(
        label="Valable jusqu'au",
        widget=DATE_WIDGET,
        required=False,
        help_text="Par défaut : la fin prévue de l'accompagnement, plus un mois.",
    )


class JournalSearchForm(forms.Form):
    person = forms.IntegerField(label="Personne n°", required=False, min_value=1)
    professional = forms.ModelChoiceField(
        label="Professionnel·le", queryset=Professional.objects.none(), required=False
    )
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none(), required=False
    )
    start = forms.DateField(label="Du", widget=DATE_WIDGET, required=False)
    end = forms.DateField(label="Au", widget=DATE_WIDGET, required=False)
    channel = forms.ChoiceField(
        label="Nature", choices=[("", "Toutes"), *JournalChannel.choices], required=False
    )

    def __init__(self, *args: Any, department: Department, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["professional"]
        ).queryset = Professional.objects.filter(organisation__department=department).order_by(
            "last_name", "first_name"
        )
        cast(
            forms.ModelChoiceField, self.fields["organisation"]
        ).queryset = Organisation.objects.filter(department=department).order_by("name")

    def clean(self) -> dict[str, Any]:
        super().clean()
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and end and end < start:
            self.add_error("end", "La fin de la période précède son début.")
        return self.cleaned_data


class AppointmentForm(forms.Form):
    planned_at = forms.DateTimeField(
        label="Date et heure",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    place = forms.CharField(label="Lieu", max_length=255)
    with_whom = forms.ModelChoiceField(label="Avec", queryset=Professional.objects.none())

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["with_whom"]
        ).queryset = Professional.objects.filter(
            pk__in=[case.pair.advisor_id, case.pair.social_worker_id]
        )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="Issue", choices=AppointmentOutcome.choices)
    person_explanation = forms.CharField(
        label="Explication de la personne", required=False, max_length=2000
    )


class MilestoneForm(forms.Form):
    ACTIONS = {
        "six_month_review": "Enregistrer le bilan à six mois",
        "end_review": "Enregistrer le bilan de fin d'accompagnement",
        "extend": "Prolonger l'accompagnement",
    }
    action = forms.ChoiceField(choices=list(ACTIONS.items()))
    summary = forms.CharField(
        label="Bilan fait avec la personne",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    months = forms.IntegerField(
        label="Prolonger de (mois)", min_value=1, max_value=6, required=False
    )


class BreachReportForm(forms.Form):
    reason = forms.CharField(
        label="Motif du signalement (il sera visible par la personne)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ProfessionalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
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
    starts_on = forms.DateField(label="Du", widget=DATE_WIDGET)
    ends_on = forms.DateField(
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
        cast(forms.ModelChoiceField, self.fields["replaced"]).queryset = replaceable
        cast(forms.ModelChoiceField, self.fields["delegate"]).queryset = delegates
        if own_cases is None:
            del self.fields["cases"]
        else:
            cast(forms.ModelMultipleChoiceField, self.fields["cases"]).queryset = own_cases
