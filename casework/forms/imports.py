"""Forms of the data coming in: the CAF/MSA flow's upload, the decision on a line to confirm."""

from typing import Any, cast

from django import forms

from partners.forms import PairChoiceField, freeze_choices

#: The largest flow the page takes: a daily flow is far below; a monthly flow or a first import
#: (tens to hundreds of MB) goes through the command (docs/deployment.md § 12), whose run is not
#: bound by a web request's time limit.
FLOW_MAX_BYTES = 10 * 1024 * 1024


class FlowUploadForm(forms.Form):
    document = forms.FileField(
        label="Fichier du flux bénéficiaires (XML national CAF ou MSA)",
        help_text="Un flux quotidien, mensuel ou de reprise, de 10 Mo au plus.",
        error_messages={
            "required": "Choisissez le fichier du flux.",
            "empty": "Ce fichier est vide.",
            "invalid": "Ce n'est pas un fichier.",
        },
    )

    def clean_document(self) -> Any:
        document = self.cleaned_data["document"]
        if (document.size or 0) > FLOW_MAX_BYTES:
            raise forms.ValidationError(
                "Ce fichier dépasse 10 Mo : importez-le avec la commande rsa_flow_import "
                "(voir le guide d'exploitation)."
            )
        return document


class FlowDecisionForm(forms.Form):
    SAME = "meme"
    OTHER = "autre"

    personne = forms.IntegerField(
        min_value=1, error_messages={"required": "Choisissez une personne."}
    )
    decision = forms.ChoiceField(
        choices=[(SAME, "C'est bien la même personne"), (OTHER, "Ce n'est pas elle")],
        error_messages={"required": "Choisissez une réponse."},
    )


class ListUploadForm(forms.Form):
    document = forms.FileField(
        label="Liste de personnes (CSV ou XLSX)",
        help_text=(
            "Une ligne d'en-tête, puis une personne par ligne ; 1 Mo et 5 000 personnes au plus."
        ),
        error_messages={
            "required": "Choisissez le fichier de la liste.",
            "empty": "Ce fichier est vide.",
            "invalid": "Ce n'est pas un fichier.",
        },
    )


class ListMappingForm(forms.Form):
    """Which column fills which field, and the binôme to propose the accompaniments to."""

    jeton = forms.CharField(widget=forms.HiddenInput)
    last_name = forms.ChoiceField(label="Nom", choices=())
    first_name = forms.ChoiceField(label="Prénom", choices=())
    birth_date = forms.ChoiceField(label="Date de naissance", choices=())
    france_travail_id = forms.ChoiceField(
        label="Identifiant France Travail", choices=(), required=False
    )
    phone = forms.ChoiceField(label="Téléphone", choices=(), required=False)
    email = forms.ChoiceField(label="E-mail", choices=(), required=False)
    binome = PairChoiceField(
        label="Proposer leur accompagnement au binôme",
        queryset=None,
        required=False,
        empty_label="Ne rien proposer : créer seulement les personnes",
        help_text="Chaque personne créée reçoit une proposition d'accompagnement de ce binôme.",
    )

    COLUMNS = ("last_name", "first_name", "birth_date", "france_travail_id", "phone", "email")

    def __init__(self, *args: Any, header: list[str], pairs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— aucune colonne —")] + [
            (str(index), title or f"Colonne {index + 1}") for index, title in enumerate(header)
        ]
        for name in self.COLUMNS:
            field = cast(forms.ChoiceField, self.fields[name])
            field.choices = choices
            field.error_messages["required"] = "Choisissez la colonne de ce champ."
        cast(PairChoiceField, self.fields["binome"]).queryset = pairs
        freeze_choices(self)

    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.COLUMNS}
