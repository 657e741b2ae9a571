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
    ObstacleCategory,
    PairContactChannel,
    PersonAgreementMethod,
    PersonRequestKind,
    ShareCategory,
    SuspensionReason,
)
from casework.errors import InvalidInput
from casework.models import Beneficiary, Case, Interview, Programme, Resource
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


#: Beyond a 64-bit integer, a database cannot even compare an id (SQLite raises).
LARGEST_ID = 2**63 - 1


class CaseChoiceField(forms.ModelMultipleChoiceField):
    """Cases shown by the person's name (give it a queryset with ``beneficiary``)."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.beneficiary.full_name

    def clean(self, value: Any) -> Any:
        for pk in value or ():
            if str(pk).lstrip("-").isdigit() and abs(int(pk)) > LARGEST_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super().clean(value)


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


class IdentityRectificationForm(DomainErrorsMixin, forms.ModelForm):
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
    received_on = forms.DateField(label="Reçue le", widget=DATE_WIDGET)

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
    approved_on = forms.DateField(label="Visa donné le", widget=DATE_WIDGET)
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


class SocialRequestForm(DomainErrorsMixin, forms.Form):
    """A « demande ponctuelle » about a person followed outside a binôme (axis 1)."""

    person_agreed = forms.BooleanField(
        label="La personne est d'accord pour que sa situation soit soumise aux "
        "correspondant·es sociaux·ales de son territoire",
        required=False,
    )
    agreement_method = forms.ChoiceField(
        label="Accord recueilli", choices=PersonAgreementMethod.choices
    )
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    birth_date = forms.DateField(label="Date de naissance", widget=DATE_WIDGET)
    france_travail_id = forms.CharField(
        label="Identifiant France Travail", max_length=20, required=False
    )
    postal_code = forms.CharField(label="Code postal", max_length=5, required=False)
    city = forms.CharField(label="Commune", max_length=100, required=False)
    territory = forms.ModelChoiceField(
        label="Territoire de la personne",
        queryset=Organisation.objects.none(),
        help_text="Les correspondant·es sociaux·ales de ce territoire recevront la demande.",
    )
    category = forms.ChoiceField(label="Difficulté", choices=ObstacleCategory.choices)
    question = forms.CharField(
        label="Question",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Ce que vous demandez, et seulement ce qui est utile pour y répondre.",
    )
    due_on = forms.DateField(
        label="Réponse attendue le",
        widget=DATE_WIDGET,
        required=False,
        help_text="Quinze jours par défaut.",
    )

    IDENTITY = ("first_name", "last_name", "birth_date", "france_travail_id", "postal_code", "city")

    def __init__(
        self,
        *args: Any,
        territories: QuerySet[Organisation],
        known_person: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["territory"]).queryset = territories
        if known_person:  # a further request about the person of an earlier one
            for name in self.IDENTITY:
                del self.fields[name]

    def clean_birth_date(self) -> datetime.date:
        birth_date = self.cleaned_data["birth_date"]
        try:
            services.check_birth_date(birth_date)
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from error
        return birth_date


class SocialRequestAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Réponse", max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class SocialRequestToCaseForm(forms.Form):
    pair = PairChoiceField(
        label="Binôme qui propose l'accompagnement", queryset=Pair.objects.none()
    )

    def __init__(self, *args: Any, pairs: list[Pair], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pair_field = cast(PairChoiceField, self.fields["pair"])
        pair_field.queryset = Pair.objects.filter(pk__in=[p.pk for p in pairs]).with_members()


class DirectorySearchForm(forms.Form):
    categorie = forms.ChoiceField(
        label="Difficulté",
        choices=[("", "Toutes les difficultés"), *ObstacleCategory.choices],
        required=False,
    )
    q = forms.CharField(label="Mots", max_length=100, required=False)


class ResourceForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label="Difficultés auxquelles elle répond",
        choices=ObstacleCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    area = forms.CharField(
        label="Zone (codes géographiques de l'INSEE, séparés par des virgules)",
        required=False,
        help_text="Département (21), communes (21231)… Vide : tout le département.",
    )

    class Meta:
        model = Resource
        fields = (
            "name",
            "provider",
            "description",
            "conditions",
            "phone",
            "email",
            "address",
            "postal_code",
            "city",
            "link",
        )
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "conditions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["categories"] = self.instance.category_list
            self.initial["area"] = ", ".join(self.instance.area)

    def clean_area(self) -> list[str]:
        return [code.strip() for code in self.cleaned_data["area"].split(",") if code.strip()]


class DirectoryImportForm(forms.Form):
    document = forms.FileField(
        label="Fichier JSON au schéma national de l'offre d'insertion",
        help_text='Un objet {"structures": [...], "services": [...]} (data·inclusion).',
    )


class ProgrammeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
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


class ProgrammeForm(forms.ModelForm):
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
        widgets = {
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, department: Department, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["organiser"]
        ).queryset = Organisation.objects.filter(department=department).order_by("name")


class ProgrammeSessionForm(forms.Form):
    starts_at = forms.DateTimeField(
        label="Date et heure",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    topic = forms.CharField(label="Thème", max_length=150)
    place = forms.CharField(label="Lieu", max_length=255, required=False)


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
