import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.renderers import BaseRenderer, DjangoTemplates
from django.forms.utils import flatatt
from django.template.backends.jinja2 import Jinja2 as Jinja2Backend
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from markupsafe import Markup, escape

from partners import services, throttle
from partners.errors import DomainError


class WidgetRenderer(BaseRenderer):
    """``FORM_RENDERER``: Django's own widget templates (``django/forms/widgets/…``) rendered by
    Jinja2, from the copies Django ships for it: the same HTML to the blank lines and the form of
    an escaped apostrophe (``&#39;``), several times faster than Django's template engine for the
    many fields of a case page (docs/performance.md §1). Error lists, form layouts and any other
    widget template (the admin's date and time pickers) stay with Django's engine.

    Three of Django's Jinja2 copies have ours in ``partners/jinja2`` (input, textarea, select), the
    same markup without ``{% include %}``: Jinja2 builds a new context for each include, and a
    select included the option template, which included the attributes' one, for every option
    (~50 µs an option). ``widget_attrs`` writes the attributes as Django's
    ``attrs.html`` does; the widgets whose template is only ``{% include "…/input.html" %}``
    (text, date, number, checkbox…) get the input's template directly."""

    def __init__(self) -> None:
        self._jinja2 = Jinja2Backend(
            {
                "NAME": "widgets",
                "DIRS": [WIDGET_TEMPLATES, Path(forms.__file__).parent / "jinja2"],
                "APP_DIRS": False,
                "OPTIONS": {"environment": "partners.forms.widget_environment"},
            }
        )
        self._django = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        if template_name.startswith("django/forms/widgets/"):
            if template_name in INPUT_ONLY:
                template_name = "django/forms/widgets/input.html"
            return self._jinja2.get_template(template_name)
        return self._django.get_template(template_name)


#: Our copies of three of Django's Jinja2 widget templates (WidgetRenderer).
WIDGET_TEMPLATES = Path(__file__).parent / "jinja2"

#: Django's widget templates that are only ``{% include "django/forms/widgets/input.html" %}``
#: (a test reads Django's copies to check it still holds).
INPUT_ONLY = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)


def widget_attrs(attrs: dict[str, Any]) -> Markup:
    """A widget's attributes as Django's ``django/forms/widgets/attrs.html`` writes them: each
    after a space, ``False`` left out, ``True`` as the bare name, names and values escaped."""
    if not attrs:
        return NO_ATTRS
    return Markup(  # noqa: S704 — each name and value escaped here
        "".join(
            f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
            for name, value in attrs.items()
            if value is not False
        )
    )


NO_ATTRS = Markup("")


def widget_environment(**options: Any) -> jinja2.Environment:
    environment = jinja2.Environment(**options)  # noqa: S701 — Django's backend sets autoescape
    environment.globals["widget_attrs"] = widget_attrs
    return environment


#: The dates a form accepts. Outside them a date is a typing mistake (« 0202 » for « 2022 »), and
#: far years would overflow the date arithmetic of durations and reminders.
EARLIEST_DATE = datetime.date(1800, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
_DATE_RANGE = "Saisissez une date entre le 01/01/1800 et le 31/12/2100."


class PlausibleDateField(forms.DateField):
    """Every date field of the project's forms (a test checks it): a date picker bounded to
    plausible years, with a French message outside them (a year typed wrong: « 0202 »). Each
    service still checks its own rule with its own message (a birth date in 1890, an interview
    in the future, an end before its start…)."""

    widget = forms.DateInput(
        attrs={"type": "date", "min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()},
        format="%Y-%m-%d",
    )
    default_validators = [
        MinValueValidator(EARLIEST_DATE, message=_DATE_RANGE),
        MaxValueValidator(LATEST_DATE, message=_DATE_RANGE),
    ]


class PlausibleDateTimeField(forms.DateTimeField):
    """Every date-and-time field of the project's forms: the same plausible years as
    PlausibleDateField, in a ``datetime-local`` picker."""

    widget = forms.DateTimeInput(
        attrs={
            "type": "datetime-local",
            "min": f"{EARLIEST_DATE.isoformat()}T00:00",
            "max": f"{LATEST_DATE.isoformat()}T23:59",
        },
        format="%Y-%m-%dT%H:%M",
    )

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M"])
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not EARLIEST_DATE <= value.date() <= LATEST_DATE:
            raise ValidationError(_DATE_RANGE, code="date_range")


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
        "throttled": (
            "Trop de tentatives de connexion ont échoué. Par sécurité, la connexion est bloquée "
            "pendant encore %(minutes)s minute(s). Si vous avez oublié votre mot de passe, "
            "adressez-vous à l'administration fonctionnelle."
        ),
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        """Refuse while the account or the IP is locked (partners.throttle), count failures."""
        email = str(self.data.get("username") or "").strip().lower()
        ip = self.request.META.get("REMOTE_ADDR") if self.request is not None else None
        attempt = throttle.Attempt(email, ip)
        lock = attempt.locked()
        if lock is not None:
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": lock.minutes_left},
            )
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                attempt.record_failure()
            raise
        if self.user_cache is not None:
            attempt.record_success()
        return cleaned


class TokenForm(forms.Form):
    """A six-digit code from the authenticator application."""

    token = forms.CharField(
        label="Code à six chiffres de votre application d'authentification",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={
            "required": "Saisissez le code affiché par votre application.",
            "min_length": "Le code compte six chiffres.",
            "max_length": "Le code compte six chiffres.",
        },
    )

    def clean_token(self) -> str:
        token = str(self.cleaned_data["token"]).strip()
        if not token.isdecimal():
            raise ValidationError("Le code ne contient que des chiffres.")
        return token


#: Beyond a 64-bit integer, a database cannot even compare an id (SQLite raises, PostgreSQL too).
LARGEST_ID = 2**63 - 1


def parse_id(value: str) -> int | None:
    """A row id read from a query string or a raw form field: digits, within what the database
    stores; None otherwise (« ² » passes isdigit(), a 30-digit number overflows)."""
    if not value.isdecimal() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= LARGEST_ID else None


class QuickSelect(forms.Select):
    """A ``<select>`` whose options are written directly rather than through one template
    rendering each: a department's few hundred professionals cost ~1 ms instead of ~40. The
    same HTML as Django's template (options' own attributes aside, which it never sets here)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            # f-strings with each value escaped: format_html cost as much as the rest per option
            rendered = "".join(
                f'<option value="{conditional_escape(str(option["value"]))}"'
                f"{' selected' if option['selected'] else ''}>"
                f"{conditional_escape(option['label'])}</option>"
                for option in options
            )
            groups.append(
                f'<optgroup label="{conditional_escape(group_name)}">{rendered}</optgroup>'
                if group_name
                else rendered
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(groups)),  # noqa: S308 — escaped above
        )


def freeze_choices(form: forms.BaseForm) -> forms.BaseForm:
    """Evaluate the choices of every model-choice field now, so that rendering queries nothing."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            # As ModelChoiceIterator would list them, from one plain statement: its own loop
            # reads through a server-side cursor (DECLARE, FETCH, CLOSE: three round trips).
            iterator = field.iterator(field)
            choices: list[Any] = [("", field.empty_label)] if field.empty_label is not None else []
            choices += [iterator.choice(obj) for obj in field.queryset or ()]
            field.choices = choices
    return form


# ModelChoiceField takes no subscript at run time: the typed base class is for mypy only.
if TYPE_CHECKING:
    _ModelChoiceField = forms.ModelChoiceField[Any]
else:
    _ModelChoiceField = forms.ModelChoiceField


class PairChoiceField(_ModelChoiceField):
    """A binôme shown by its members' names (give it a queryset ``with_members()``); a
    department has a few hundred of them."""

    widget = QuickSelect

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.members_names)


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: next to its field when it names one of the form's
    fields (``InvalidInput.field``), on top of the form otherwise."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, error.message)


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form, its validators and French messages; the rules are said in the page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = ""


class EnrolmentForm(TokenForm):
    """Enrolling a device as admin or auditor: the enrolment code handed over out of band, then
    the first six-digit code of the application."""

    enrolment_code = forms.CharField(
        label="Code d'enrôlement remis par l'administration",
        help_text="Dix lettres et chiffres, par exemple ABCDE-FGH23.",
        required=False,  # the service says what is missing (services.ENROLMENT_CODE_MISSING)
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    field_order = ("enrolment_code", "token")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs.pop("autofocus", None)
        self.fields["enrolment_code"].widget.attrs["autofocus"] = True


# SetPasswordForm takes no subscript at run time either.
if TYPE_CHECKING:
    _SetPasswordForm = SetPasswordForm[Any]
else:
    _SetPasswordForm = SetPasswordForm


class ActivationForm(_SetPasswordForm):
    """Choosing one's password from the activation link; Django's validators apply."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Mot de passe"
        self.fields["new_password1"].help_text = ""
        self.fields["new_password2"].label = "Confirmation du mot de passe"

    def save(self, commit: bool = True) -> Any:
        return services.professional_activate(
            professional=self.user, password=self.cleaned_data["new_password1"]
        )
