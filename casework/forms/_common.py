"""What the casework forms share: the date widget, a service's errors, the choice of cases."""

from typing import TYPE_CHECKING, Any, Protocol

from django import forms
from django.db.models import QuerySet

from casework.errors import InvalidInput
from casework.models import Case
from partners.forms import LARGEST_ID, PlausibleDateField

DATE_WIDGET = PlausibleDateField.widget

# django-stubs makes ModelForm and the model choice fields generic in their model; Django's own
# classes take no subscript at run time (only the dev-time django_stubs_ext.monkeypatch() would
# allow it), so a typed base class is spelled for mypy only, and is Django's class at run time.
if TYPE_CHECKING:
    _CaseMultipleChoiceField = forms.ModelMultipleChoiceField[Case]
else:
    _CaseMultipleChoiceField = forms.ModelMultipleChoiceField


class _FormWithErrors(Protocol):
    """What DomainErrorsMixin needs of the form it is mixed into."""

    fields: dict[str, forms.Field]

    def add_error(self, field: str | None, error: str) -> None: ...


class DomainErrorsMixin:
    """Put a service's InvalidInput next to its field (or on top of the form)."""

    def add_domain_error(self: _FormWithErrors, error: InvalidInput) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


class CaseChoiceField(_CaseMultipleChoiceField):
    """Cases shown by the person's name (give it a queryset with ``beneficiary``)."""

    def label_from_instance(self, obj: Case) -> str:
        return obj.beneficiary.full_name

    def clean(self, value: Any) -> QuerySet[Case]:
        for pk in value or ():
            if str(pk).lstrip("-").isdecimal() and abs(int(pk)) > LARGEST_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super().clean(value)
