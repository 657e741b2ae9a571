"""The department administrator's imports: the CAF/MSA flow (upload, report, the lines matched
only by names and birth date to confirm or set aside)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from casework import access
from casework.errors import FlowConfirmationRefused
from casework.forms import FlowDecisionForm, FlowUploadForm
from casework.imports import selectors
from casework.imports.services import rsa_flow_apply, rsa_flow_confirm, rsa_flow_reject
from casework.models import FlowImport
from partners.models import Professional
from partners.pagination import paginate


@login_required
def flow_imports(request: HttpRequest) -> HttpResponse:
    """Upload a flow (all of it or nothing, then its report) and the imports already made."""
    user = access.access_as_admin(request)
    department = user.organisation.department  # type: ignore[union-attr]
    form = FlowUploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["document"]
        report = rsa_flow_apply(
            department=department,
            stream=document.file,
            file_name=document.name or "flux.xml",
            acting_user=user,
        )
        if report.already_imported is not None:
            messages.info(
                request, "Ce fichier a déjà été importé : rien n'a changé. Voici son rapport."
            )
            return redirect("flow_import_detail", pk=report.already_imported.pk)
        if report.flow_import is not None:
            messages.success(request, f"Import n°{report.flow_import.pk} enregistré.")
            return redirect("flow_import_detail", pk=report.flow_import.pk)
    return render(
        request,
        "casework/flow_imports.html",
        {
            "form": form,
            "report": report,
            "page": paginate(request, selectors.flow_imports_of(department.pk)),
        },
    )


def _flow_import(user: Professional, pk: int) -> FlowImport:
    department_id = user.organisation.department_id  # type: ignore[union-attr]
    return get_object_or_404(
        FlowImport.objects.filter(department_id=department_id).select_related("imported_by"),
        pk=pk,
    )


def _report_page(
    request: HttpRequest, flow_import: FlowImport, form: FlowDecisionForm | None = None
) -> HttpResponse:
    return render(
        request,
        "casework/flow_import_detail.html",
        {
            "flow_import": flow_import,
            "lines": selectors.lines_to_confirm(flow_import),
            "form": form,
        },
    )


@login_required
def flow_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report of one import, with its lines waiting for a decision."""
    user = access.access_as_admin(request)
    return _report_page(request, _flow_import(user, pk))


@login_required
@require_POST
def flow_import_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """« C'est bien la même personne » or « Ce n'est pas elle » for one line to confirm."""
    user = access.access_as_admin(request)
    flow_import = _flow_import(user, pk)
    form = FlowDecisionForm(request.POST)
    if form.is_valid():
        beneficiary_id = form.cleaned_data["personne"]
        try:
            if form.cleaned_data["decision"] == FlowDecisionForm.SAME:
                rsa_flow_confirm(
                    flow_import=flow_import, beneficiary_id=beneficiary_id, acting_user=user
                )
                done = "Rapprochement confirmé : la situation RSA de la personne est mise à jour."
            else:
                rsa_flow_reject(
                    flow_import=flow_import, beneficiary_id=beneficiary_id, acting_user=user
                )
                done = "Rapprochement écarté : rien n'est modifié pour cette personne."
        except FlowConfirmationRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, done)
            return redirect("flow_import_detail", pk=flow_import.pk)
    return _report_page(request, flow_import, form)
