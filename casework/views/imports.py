"""The department administrator's imports: the CAF/MSA flow (upload, report, the lines matched
only by names and birth date to confirm or set aside) and the lists of people to follow (upload,
column mapping, preview, import)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from casework import access
from casework.errors import FlowConfirmationRefused, ListImportRefused
from casework.forms import FlowDecisionForm, FlowUploadForm, ListMappingForm, ListUploadForm
from casework.imports import lists, selectors
from casework.imports.people_lists import people_list_import
from casework.imports.services import rsa_flow_apply, rsa_flow_confirm, rsa_flow_reject
from casework.models import FlowImport
from partners.models import Pair, Professional
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


# Lists of people to follow ------------------------------------------------------------------

#: The uploaded list travels from step to step inside a signed token (nothing of it is stored
#: before the import); an hour to map, check and import it.
LIST_SALT = "casework.imports.people_list"
LIST_MAX_AGE = 60 * 60


def _list_token(table: lists.Table) -> str:
    return signing.dumps(
        {"name": table.name, "header": table.header, "rows": table.rows},
        salt=LIST_SALT,
        compress=True,
    )


def _list_table(token: str) -> lists.Table:
    try:
        data = signing.loads(token, salt=LIST_SALT, max_age=LIST_MAX_AGE)
    except signing.SignatureExpired as error:
        raise lists.ListError(
            "Cette liste a été déposée il y a plus d'une heure : déposez-la à nouveau."
        ) from error
    except signing.BadSignature as error:
        raise lists.ListError("Déposez à nouveau la liste.") from error
    return lists.Table(name=data["name"], header=data["header"], rows=data["rows"])


@login_required
def people_lists(request: HttpRequest) -> HttpResponse:
    """Upload a list, map its columns, preview each row's outcome, import (all or nothing).

    ``etape`` says which step the POST is: absent (the upload), « apercu », « import »."""
    user = access.access_as_admin(request)
    department = user.organisation.department  # type: ignore[union-attr]
    pairs = Pair.objects.filter(department=department).active().with_members().order_by("pk")
    step = request.POST.get("etape", "") if request.method == "POST" else ""
    if step not in ("apercu", "import"):
        step = ""  # any other value: the upload step
    context: dict[str, Any] = {"step": "upload"}
    upload = ListUploadForm(
        request.POST if request.method == "POST" and not step else None,
        request.FILES or None,
    )
    context["upload"] = upload
    if request.method == "POST" and not step and upload.is_valid():
        document = upload.cleaned_data["document"]
        try:
            table = lists.read_table(
                document.name or "liste.csv", document.read(lists.MAX_BYTES + 1)
            )
        except lists.ListError as error:
            upload.add_error("document", str(error))
        else:
            initial = {"jeton": _list_token(table), **lists.guess_mapping(table.header)}
            context.update(
                step="mapping",
                table=table,
                form=ListMappingForm(initial=initial, header=table.header, pairs=pairs),
            )
    elif step in ("apercu", "import"):
        try:
            table = _list_table(request.POST.get("jeton", ""))
        except lists.ListError as error:
            # Back to the upload step, saying why (the page's messages).
            messages.error(request, str(error))
            return render(request, "casework/people_lists.html", context)
        form = ListMappingForm(request.POST, header=table.header, pairs=pairs)
        context.update(step="mapping", table=table, form=form)
        if form.is_valid():
            mapping = form.mapping()
            if step == "import":
                response = _import_list(request, user, table, form, context)
                if response is not None:
                    return response
            preview = lists.preview(
                department_id=department.pk,
                table=table,
                mapping=mapping,
                propose=form.cleaned_data["binome"] is not None,
            )
            ticked = context.get("ticked")
            context.update(
                step="preview",
                preview=preview,
                rows=[
                    (row, row.ticked_by_default if ticked is None else row.line in ticked)
                    for row in preview.rows
                ],
            )
    return render(request, "casework/people_lists.html", context)


def _import_list(
    request: HttpRequest,
    user: Professional,
    table: lists.Table,
    form: ListMappingForm,
    context: dict[str, Any],
) -> HttpResponse | None:
    lines = {int(line) for line in request.POST.getlist("lignes") if line.isdigit()}
    context["ticked"] = lines
    try:
        report = people_list_import(
            department=user.organisation.department,  # type: ignore[union-attr]
            table=table,
            mapping=form.mapping(),
            lines=lines,
            pair=form.cleaned_data["binome"],
            acting_user=user,
        )
    except ListImportRefused as refusal:
        context["refusal"] = refusal
        return None
    proposed = (
        f" et {len(report.proposed)} accompagnement(s) proposé(s) au binôme"
        if form.cleaned_data["binome"]
        else ""
    )
    messages.success(
        request,
        f"Liste « {table.name} » importée : {len(report.created)} personne(s) créée(s)"
        f"{proposed}. {report.left} ligne(s) non importée(s).",
    )
    return redirect("people_lists")
