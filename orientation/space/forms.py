from django import forms

from orientation.models import PERSON_COMMENT_MAX_LENGTH


class ActionMarkForm(forms.Form):
    """The person marks one of their actions done, or not done yet, with a short comment."""

    done = forms.TypedChoiceField(
        choices=[("1", "Faite"), ("0", "Pas encore faite")],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
        error_messages={
            "required": "Dites si l'action est faite ou non.",
            "invalid_choice": "Dites si l'action est faite ou non.",
        },
    )
    comment = forms.CharField(
        label="Un mot pour vos professionnel·les",
        help_text=f"{PERSON_COMMENT_MAX_LENGTH} caractères au plus.",
        required=False,
        max_length=PERSON_COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": (
                f"Votre commentaire est trop long : {PERSON_COMMENT_MAX_LENGTH} caractères au plus."
            ),
        },
    )
