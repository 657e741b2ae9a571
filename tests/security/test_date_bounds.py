"""Every date a form accepts lies between 1800 and 2100 (partners.forms.PlausibleDateField): a
mistyped year gets a French message next to the field, and what was typed stays."""

import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from django import forms
from django.urls import reverse

import casework.forms
from casework.enums import CaseState
from casework.models import Appointment, Interview
from partners.forms import PlausibleDateField, PlausibleDateTimeField
from tests.casework.factories import CaseFactory

FORM_MODULES = ["orientation.forms", "partners.forms"] + [
    f"casework.forms.{module.name}" for module in pkgutil.iter_modules(casework.forms.__path__)
]


def _project_forms() -> Iterator[type[forms.BaseForm]]:
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
                and hasattr(value, "base_fields")
            ):
                yield value


def test_every_date_field_of_every_form_is_bounded():
    date_fields = {
        f"{form.__module__}.{form.__name__}.{name}": type(field)
        for form in _project_forms()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField)
    }

    assert len(date_fields) >= 15  # the interview, the accord, the remplacements, the requests…
    assert {
        name: kind for name, kind in date_fields.items() if kind is not PlausibleDateField
    } == {}


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["0202-03-14", "1799-12-31", "2202-03-14"])
def test_a_mistyped_year_is_refused_in_french_and_kept(login_client, typed):
    case = CaseFactory(state=CaseState.ACTIVE)
    client = login_client(case.pair.advisor)

    response = client.post(
        reverse("interview_log", kwargs={"pk": case.pk}),
        {"occurred_on": typed, "channel": "phone", "summary": "Point", "version": case.version},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez une date entre le 01/01/1800 et le 31/12/2100." in page
    assert f'value="{typed}"' in page
    assert 'min="1800-01-01"' in page and 'max="2100-12-31"' in page
    assert not Interview.objects.filter(case=case).exists()


def test_every_datetime_field_of_every_form_is_bounded():
    datetime_fields = {
        f"{form.__module__}.{form.__name__}.{name}": type(field)
        for form in _project_forms()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateTimeField)
    }

    assert len(datetime_fields) >= 2  # an appointment, a collective action's session
    assert {
        name: kind for name, kind in datetime_fields.items() if kind is not PlausibleDateTimeField
    } == {}


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["0202-03-14T10:00", "2202-03-14T10:00"])
def test_a_mistyped_year_in_an_appointment_is_refused_in_french_and_kept(login_client, typed):
    case = CaseFactory(state=CaseState.ACTIVE)
    client = login_client(case.pair.advisor)

    response = client.post(
        reverse("appointment_plan", kwargs={"pk": case.pk}),
        {"planned_at": typed, "place": "Agence", "with_whom": case.pair.advisor.pk},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez une date entre le 01/01/1800 et le 31/12/2100." in page
    assert f'value="{typed}"' in page
    assert 'min="1800-01-01T00:00"' in page and 'max="2100-12-31T23:59"' in page
    assert not Appointment.objects.filter(case=case).exists()
