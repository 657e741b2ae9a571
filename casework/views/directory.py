"""The territory's offer: search, edited by the administrator, imported and exported in the
national inclusion-offer schema."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casework import access, directory, selectors, services
from casework.errors import InvalidInput
from casework.forms import DirectoryImportForm, DirectorySearchForm, ResourceForm
from casework.models import Resource
from partners.errors import DomainError
from partners.pagination import paginate


@login_required
def directory_search(request: HttpRequest) -> HttpResponse:
    """« Que trouve-t-on ici pour cette difficulté ? »: the department's offer, searchable."""
    user = access.access_as_department_member(request)
    form = DirectorySearchForm(request.GET or None)
    category = text = ""
    if form.is_valid():
        category, text = form.cleaned_data["categorie"], form.cleaned_data["q"]
    department_id = user.organisation.department_id  # type: ignore[union-attr]
    return render(
        request,
        "casework/directory.html",
        {
            "form": form,
            "page": paginate(
                request, selectors.directory_search(department_id, category=category, text=text)
            ),
            "searched": bool(category or text),
            "can_manage": access.is_admin(user),
        },
    )


def _resource_form_page(request: HttpRequest, resource: Resource | None) -> HttpResponse:
    user = access.access_as_admin(request)
    department = user.organisation.department  # type: ignore[union-attr]
    form = ResourceForm(request.POST if request.method == "POST" else None, instance=resource)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in ResourceForm.Meta.fields}
        try:
            saved = services.resource_save(
                department=department,
                acting_user=user,
                resource=resource,
                categories=data["categories"],
                area=data["area"],
                **fields,
            )
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, f"« {saved.name} » est enregistrée dans l'offre du territoire."
            )
            return redirect("directory")
    return render(request, "casework/resource_form.html", {"form": form, "resource": resource})


@login_required
def resource_create(request: HttpRequest) -> HttpResponse:
    return _resource_form_page(request, None)


@login_required
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = access.access_as_admin(request)
    return _resource_form_page(request, access.access_resource(user, pk))


@login_required
def directory_import(request: HttpRequest) -> HttpResponse:
    """Upload a file of the national schema: all of it, or nothing, with the rejected rows."""
    user = access.access_as_admin(request)
    department = user.organisation.department  # type: ignore[union-attr]
    form = DirectoryImportForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.directory_import(
            department=department,
            document=form.cleaned_data["document"].read(),
            acting_user=user,
        )
        if report.ok:
            messages.success(
                request,
                f"Import terminé : {report.created} ressource(s) créée(s), {report.updated} "
                f"modifiée(s), {report.unchanged} inchangée(s).",
            )
            return redirect("directory")
    return render(request, "casework/directory_import.html", {"form": form, "report": report})


@login_required
def directory_export(request: HttpRequest) -> HttpResponse:
    """The department's offer as one JSON document of the national schema."""
    user = access.access_as_admin(request)
    department = user.organisation.department  # type: ignore[union-attr]
    document = directory.export(Resource.objects.of_department(department.pk).order_by("pk"))
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="offre-insertion-{department.code}.json"'
    )
    return response
