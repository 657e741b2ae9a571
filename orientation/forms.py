from typing import Any, cast

from django import forms

from casework.enums import EducationLevel, ObstacleCategory, OrientationPath
from orientation.enums import ActionOwner, ContractKind, Impact
from orientation.models import WEEKLY_HOURS_AIM, WEEKLY_HOURS_MAX, Diagnostic
from partners.forms import PlausibleDateField

YES_NO_UNKNOWN = [("", "Non renseigné"), ("true", "Oui"), ("false", "Non")]


def _tristate(value: Any) -> bool | None:
    return {"true": True, "false": False}.get(value)


class PersonSectionsForm(forms.Form):
    """Written with the person, by either professional."""

    person_words = forms.CharField(
        label="Parole de la personne : ce qu'elle dit de sa situation et ce qu'elle souhaite",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    strengths = forms.CharField(
        label="Atouts et compétences",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    active_last_two_years = forms.TypedChoiceField(
        label="A travaillé ou été en formation au cours des deux dernières années",
        choices=YES_NO_UNKNOWN,
        coerce=_tristate,
        empty_value=None,
        required=False,
    )
    can_project_into_work = forms.TypedChoiceField(
        label="Se projette dans un emploi à court terme",
        choices=YES_NO_UNKNOWN,
        coerce=_tristate,
        empty_value=None,
        required=False,
    )
    education_level = forms.ChoiceField(
        label="Niveau de formation",
        choices=[("", "Non renseigné"), *EducationLevel.choices],
        required=False,
    )

    @classmethod
    def initial_of(cls, diagnostic: Diagnostic) -> dict[str, Any]:
        def tri(value: bool | None) -> str:
            return "" if value is None else str(value).lower()

        return {
            "person_words": diagnostic.person_words,
            "strengths": diagnostic.strengths,
            "active_last_two_years": tri(diagnostic.active_last_two_years),
            "can_project_into_work": tri(diagnostic.can_project_into_work),
            "education_level": diagnostic.education_level,
        }


class ProfessionalSituationForm(forms.Form):
    professional_situation = forms.CharField(
        label="Situation professionnelle (écrite par le ou la conseiller·ère)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class SocialSummaryForm(forms.Form):
    social_summary = forms.CharField(
        label="Synthèse sociale (écrite par le ou la travailleur·se social·e)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Partagée avec le ou la conseiller·ère si l'accord de partage le prévoit.",
    )


class SocialDetailsForm(forms.Form):
    text = forms.CharField(
        label="Éléments sociaux détaillés (secret professionnel)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Jamais partagés avec le ou la conseiller·ère.",
    )


class ObstacleForm(forms.Form):
    category = forms.ChoiceField(label="Catégorie", choices=ObstacleCategory.choices)
    impact = forms.ChoiceField(label="Impact sur la recherche d'emploi", choices=Impact.choices)
    in_persons_words = forms.CharField(
        label="La difficulté, dans les mots de la personne",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    person_disputes = forms.BooleanField(
        label="La personne n'est pas d'accord avec ce qui est écrit", required=False
    )
    person_refuses_writing = forms.BooleanField(
        label="La personne refuse que ce point soit écrit (rien ne sera enregistré)",
        required=False,
    )


class ObstacleRectificationForm(forms.Form):
    """What the person asks to correct in a difficulty as written; the old text is kept."""

    in_persons_words = forms.CharField(
        label="La difficulté, dans les mots de la personne",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    impact = forms.ChoiceField(label="Impact sur la recherche d'emploi", choices=Impact.choices)
    person_agrees = forms.BooleanField(
        label="La personne est d'accord avec ce qui est écrit", required=False
    )
    reason = forms.CharField(
        label="Ce que la personne conteste, et pourquoi",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class OpinionForm(forms.Form):
    validated = forms.TypedChoiceField(
        label="Avis de la personne sur le diagnostic",
        choices=[
            ("true", "La personne valide le diagnostic"),
            ("false", "La personne le conteste"),
        ],
        coerce=_tristate,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Ce que la personne en dit (obligatoire si elle conteste)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class RecommendationForm(forms.Form):
    path = forms.ChoiceField(
        label="Parcours que le binôme préconise",
        choices=OrientationPath.choices,
        widget=forms.RadioSelect,
    )
    rationale = forms.CharField(
        label="Motifs (et, s'il s'écarte des critères nationaux, pourquoi)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    person_agrees = forms.TypedChoiceField(
        label="Avis de la personne",
        choices=[("true", "La personne est d'accord"), ("false", "La personne n'est pas d'accord")],
        coerce=_tristate,
        widget=forms.RadioSelect,
    )
    person_comment = forms.CharField(
        label="Ce que la personne en dit (obligatoire si elle n'est pas d'accord)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class DecisionForm(forms.Form):
    path = forms.ChoiceField(label="Parcours décidé", choices=OrientationPath.choices)
    decided_on = PlausibleDateField(
        label="Date de la décision",
    )
    reasons = forms.CharField(
        label="Motifs de la décision", widget=forms.Textarea(attrs={"rows": 3})
    )
    review_on = PlausibleDateField(
        label="Date de réexamen",
        required=False,
        help_text="Par défaut : six mois après la décision.",
    )


class ValidationForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="Validation",
        choices=[("true", "Valider"), ("false", "Renvoyer au binôme")],
        coerce=_tristate,
    )
    comment = forms.CharField(label="Commentaire", required=False, max_length=2000)


class ContractForm(forms.Form):
    kind = forms.ChoiceField(label="Contrat", choices=ContractKind.choices)
    reference = forms.CharField(label="Référence", max_length=50, required=False)
    signed_on = PlausibleDateField(
        label="Signé le",
        required=False,
    )
    weekly_hours = forms.IntegerField(
        label="Objectif d'heures d'activité par semaine",
        help_text=f"{WEEKLY_HOURS_AIM} heures, ajustées (jusqu'à 0) si une difficulté le justifie.",
        min_value=0,
        max_value=WEEKLY_HOURS_MAX,
        initial=WEEKLY_HOURS_AIM,
    )
    adjusted_for = forms.TypedChoiceField(
        label=f"Sous {WEEKLY_HOURS_AIM} heures : la difficulté qui le justifie",
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, obstacles: list[Any], **kwargs: Any) -> None:
        # On the plan page beside the action form: its own ids (both have « weekly_hours »).
        kwargs.setdefault("auto_id", "id_contrat_%s")
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["adjusted_for"]).choices = [
            ("", "—"),
            *[(o.pk, f"{o.get_category_display()} : {o.in_persons_words}") for o in obstacles],
        ]


class ActionForm(forms.Form):
    title = forms.CharField(label="Action", max_length=255)
    owner = forms.ChoiceField(label="Qui la porte", choices=ActionOwner.choices)
    partner_name = forms.CharField(label="Partenaire", max_length=150, required=False)
    due_on = PlausibleDateField(
        label="Échéance",
        required=False,
    )
    obstacle = forms.TypedChoiceField(
        label="Difficulté travaillée", coerce=int, empty_value=None, required=False
    )
    weekly_hours = forms.IntegerField(
        label="Heures par semaine", min_value=0, max_value=WEEKLY_HOURS_MAX, required=False
    )

    def __init__(self, *args: Any, obstacles: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["obstacle"]).choices = [
            ("", "—"),
            *[(o.pk, f"{o.get_category_display()} : {o.in_persons_words}") for o in obstacles],
        ]
