"""Forms of the data coming in: the CAF/MSA flow's upload, the decision on a line to confirm."""

from typing import Any

from django import forms

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
