from django import forms

from casework.enums import MessageChannel


class MessageConsentForm(forms.Form):
    """The person's yes to messages on one channel, recorded by a member of the binôme."""

    channel = forms.ChoiceField(
        label="Canal",
        choices=MessageChannel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez le canal : SMS ou e-mail."},
    )
    address = forms.CharField(
        label="Numéro de portable ou adresse électronique",
        help_text="Un numéro de portable pour les SMS (06 12 34 56 78, ou avec l'indicatif du "
        "pays), une adresse électronique pour les e-mails.",
        max_length=254,
        error_messages={"required": "Indiquez le numéro ou l'adresse de la personne."},
    )
    person_agreed = forms.BooleanField(
        label="La personne est d'accord pour recevoir ses convocations et rappels de "
        "rendez-vous sur ce canal",
        error_messages={"required": "Cochez la case : l'accord de la personne est nécessaire."},
    )


class MessageTemplateForm(forms.Form):
    """A department's wording of one kind of message on one channel (checked at save by
    ``casework.messages.wording.check``)."""

    subject = forms.CharField(label="Objet de l'e-mail", max_length=150, required=False)
    body = forms.CharField(
        label="Texte",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=2000,
        error_messages={"required": "Écrivez le texte du message."},
    )

    def __init__(self, *args: object, channel: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if channel != MessageChannel.EMAIL:
            del self.fields["subject"]
