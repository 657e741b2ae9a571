"""The person's diagnostic, in plain French, and their opinion on it."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casework.errors import InvalidInput
from casework.journal import RequestInfo
from casework.space import selectors as space_selectors
from casework.space.session import person_required
from orientation import selectors, services
from orientation.enums import DiagnosticState
from orientation.space import selectors as person_selectors
from partners.errors import DomainError


class OpinionForm(forms.Form):
    validated = forms.TypedChoiceField(
        label="Votre avis",
        choices=[("1", "Je suis d'accord avec ce diagnostic"), ("0", "Je ne suis pas d'accord")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": "Dites si vous êtes d'accord ou non."},
    )
    comment = forms.CharField(
        label="Avec vos mots (obligatoire si vous n'êtes pas d'accord)",
        help_text="Ce qui ne vous convient pas, ce qui manque, ce qui est faux.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


@person_required
def space_diagnostic(request: HttpRequest) -> HttpResponse:
    """Read the diagnostic; on a draft, give one's opinion (the binôme signs after)."""
    access = request.space_access  # type: ignore[attr-defined]
    if space_selectors.is_archived(access):
        return redirect("space_home")
    diagnostic = selectors.current_diagnostic(access.case)
    form = OpinionForm(request.POST if request.method == "POST" else None)
    awaiting = diagnostic is not None and diagnostic.state == DiagnosticState.DRAFT
    if request.method == "POST" and diagnostic is not None and awaiting and form.is_valid():
        try:
            services.diagnostic_person_opinion(
                diagnostic=diagnostic,
                access_id=access.pk,
                validated=form.cleaned_data["validated"],
                comment=form.cleaned_data["comment"],
                info=RequestInfo.of(request),
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, "Votre avis est enregistré. Vos deux professionnel·les le voient."
            )
            return redirect("space_diagnostic")
    obstacles = (
        person_selectors.diagnostic_shown(diagnostic).obstacles if diagnostic is not None else []
    )
    return render(
        request,
        "orientation/space/diagnostic.html",
        {
            "space_person": True,
            "diagnostic": diagnostic,
            "obstacles": obstacles,
            "awaiting": awaiting,
            "form": form,
        },
    )
