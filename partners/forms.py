from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from partners.errors import DomainError


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique professionnelle",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": (
            "Adresse électronique ou mot de passe incorrect. Vérifiez votre saisie "
            "(les majuscules comptent dans le mot de passe)."
        ),
        "inactive": "Ce compte est désactivé. Adressez-vous à l'administration fonctionnelle.",
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


def freeze_choices(form: forms.BaseForm) -> forms.BaseForm:
    """Evaluate the choices of every model-choice field now, so that rendering queries nothing."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            # iter(): list() of the iterator itself would ask its __len__, a COUNT query.
            field.choices = list(iter(field.iterator(field)))
    return form


class PairChoiceField(forms.ModelChoiceField):
    """A binôme shown by its members' names (give it a queryset ``with_members()``)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.advisor.full_name} et {obj.social_worker.full_name}"


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: next to its field when it names one of the form's
    fields (``InvalidInput.field``), on top of the form otherwise."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, error.message)
