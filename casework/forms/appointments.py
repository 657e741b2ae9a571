"""Forms of appointments and their outcome, signalements de manquement and milestones."""

from typing import Any, cast

from django import forms

from casework.enums import RECORDED_OUTCOMES, AppointmentKind, BreachDecision
from casework.models import Case
from partners.forms import PlausibleDateField, PlausibleDateTimeField
from partners.models import Professional


class AppointmentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Nature", choices=AppointmentKind.choices, initial=AppointmentKind.FOLLOW_UP
    )
    planned_at = PlausibleDateTimeField(label="Date et heure")
    place = forms.CharField(label="Lieu", max_length=255)
    with_whom = forms.ModelChoiceField(label="Avec", queryset=Professional.objects.none())

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            "forms.ModelChoiceField[Professional]", self.fields["with_whom"]
        ).queryset = Professional.objects.filter(
            pk__in=[case.pair.advisor_id, case.pair.social_worker_id]
        )


class AppointmentChangeForm(forms.Form):
    """Move an appointment: a new date and time, a new place (the person is told)."""

    planned_at = PlausibleDateTimeField(label="Nouvelle date et heure")
    place = forms.CharField(label="Lieu", max_length=255)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="Issue", choices=RECORDED_OUTCOMES)
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


class BreachObservationsForm(forms.Form):
    """The person's observations on a signalement, in their words (the référent writes them)."""

    observations = forms.CharField(
        label="Observations de la personne, dans ses mots",
        help_text="Elles sont transmises avec le signalement, telles qu'écrites ici.",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )


class BreachDecisionForm(forms.Form):
    """The authority's decision, a fact with its date (rate and length for a suspension)."""

    decision = forms.ChoiceField(
        label="Décision du ou de la président·e du conseil départemental",
        choices=[("", "Choisir la décision"), *BreachDecision.choices],
    )
    decided_on = PlausibleDateField(label="Date de la décision")
    suspension_rate = forms.IntegerField(
        label="Taux de la suspension (%)",
        help_text="Seulement pour une suspension-remobilisation.",
        min_value=1,
        max_value=100,
        required=False,
    )
    suspension_months = forms.IntegerField(
        label="Durée de la suspension (mois)",
        help_text="Seulement pour une suspension-remobilisation.",
        min_value=1,
        max_value=12,
        required=False,
    )


class BreachRemobilisedForm(forms.Form):
    remobilised_on = PlausibleDateField(label="Remobilisation constatée le")
