"""Functional administration. Every save goes through a service; nothing is ever deleted."""

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.forms import SetPasswordMixin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from partners import services
from partners.enums import PairEndReason
from partners.errors import DomainError
from partners.models import Department, Organisation, Pair, Professional

# Django's admin and form classes take no subscript at run time: the typed bases are for mypy only.
if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
    _ProfessionalForm = forms.ModelForm[Professional]
    _PairForm = forms.ModelForm[Pair]
    _PasswordMixin = SetPasswordMixin[Professional]
else:
    _ModelAdmin = admin.ModelAdmin
    _ProfessionalForm = _PairForm = forms.ModelForm
    _PasswordMixin = SetPasswordMixin

admin.site.disable_action("delete_selected")


def _adopt(instance: Model, saved: Model) -> None:
    """Make the admin's unsaved instance the one a service just saved (for its redirect)."""
    instance.__dict__.update(saved.__dict__)


def _actor(request: HttpRequest) -> Professional:
    return cast(Professional, request.user)  # the admin site only lets staff professionals in


def _changed(form: "forms.ModelForm[Any]", exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.changed_data if name not in exclude}


class NoDeleteAdmin(_ModelAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(NoDeleteAdmin):
    list_display = ("code", "name", "rsa_orientation_authority", "caseload_target")
    search_fields = ("code", "name")

    def save_model(self, request: HttpRequest, obj: Department, form: Any, change: bool) -> None:
        if change:
            services.department_update(
                department=obj, fields=_changed(form), acting_user=_actor(request)
            )
        else:
            saved = services.department_create(
                code=obj.code, name=obj.name, acting_user=_actor(request)
            )
            services.department_update(
                department=saved,
                fields=_changed(form, exclude=("code", "name")),
                acting_user=_actor(request),
            )
            _adopt(obj, saved)


@admin.register(Organisation)
class OrganisationAdmin(NoDeleteAdmin):
    list_display = ("name", "kind", "department", "parent")
    list_filter = ("department", "kind")
    list_select_related = ("department", "parent")
    search_fields = ("name",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("department", "parent") if obj else ()

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        if change:
            services.organisation_update(
                organisation=obj, fields=_changed(form), acting_user=_actor(request)
            )
        else:
            saved = services.organisation_create(
                department=obj.department,
                kind=obj.kind,
                name=obj.name,
                parent=obj.parent,
                acting_user=_actor(request),
            )
            _adopt(obj, saved)


class ProfessionalCreationForm(_PasswordMixin, _ProfessionalForm):
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1="Mot de passe", label2="Confirmation du mot de passe"
    )

    class Meta:
        model = Professional
        fields = (
            "email",
            "first_name",
            "last_name",
            "organisation",
            "role",
            "job_title",
            "is_social_correspondent",
        )

    def clean(self) -> dict[str, Any]:
        self.validate_passwords()
        super().clean()
        self.validate_password_for_user(self.instance)
        return self.cleaned_data


@admin.register(Professional)
class ProfessionalAdmin(NoDeleteAdmin):
    list_display = ("last_name", "first_name", "email", "role", "organisation", "is_active")
    list_filter = ("role", "is_active", "is_social_correspondent", "organisation__department")
    list_select_related = ("organisation",)
    search_fields = ("last_name", "first_name", "email")
    ordering = ("last_name", "first_name")
    actions = ("deactivate",)
    fields = (
        "email",
        "first_name",
        "last_name",
        "organisation",
        "role",
        "job_title",
        "is_social_correspondent",
        "is_active",
        "last_login",
        "date_joined",
    )
    readonly_fields = ("is_active", "last_login", "date_joined")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ProfessionalCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return (*ProfessionalCreationForm.Meta.fields, "password1", "password2")
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj else ()

    def save_model(self, request: HttpRequest, obj: Professional, form: Any, change: bool) -> None:
        if change:
            services.professional_update(
                professional=obj, fields=_changed(form), acting_user=_actor(request)
            )
        else:
            saved = services.professional_create(
                email=obj.email,
                first_name=obj.first_name,
                last_name=obj.last_name,
                organisation=obj.organisation,  # type: ignore[arg-type]
                role=obj.role,
                job_title=obj.job_title,
                is_social_correspondent=obj.is_social_correspondent,
                password=form.cleaned_data["password1"],
                acting_user=_actor(request),
            )
            _adopt(obj, saved)

    @admin.action(description="Désactiver les professionnel·les sélectionné·es")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Professional]) -> None:
        for professional in queryset:
            try:
                services.professional_deactivate(
                    professional=professional, acting_user=_actor(request)
                )
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, f"{professional.full_name} est désactivé·e.")


class PairCreationForm(_PairForm):
    class Meta:
        model = Pair
        fields = ("advisor", "social_worker", "started_on")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        advisor, social_worker = cleaned.get("advisor"), cleaned.get("social_worker")
        if advisor and social_worker:
            try:
                services.pair_check_members(advisor, social_worker)
            except DomainError as error:
                raise forms.ValidationError(error.message) from error
        return cleaned


class PairEndForm(_PairForm):
    class Meta:
        model = Pair
        fields = ("ended_on", "end_reason")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("ended_on") and not cleaned.get("end_reason"):
            self.add_error("end_reason", "Indiquez le motif de fin du binôme.")
        elif cleaned.get("ended_on"):
            stored = Pair.objects.get(pk=self.instance.pk)
            try:
                services.pair_check_end(stored, cleaned["ended_on"])
            except DomainError as error:
                raise forms.ValidationError(error.message) from error
        return cleaned


@admin.register(Pair)
class PairAdmin(NoDeleteAdmin):
    list_display = ("__str__", "advisor", "social_worker", "started_on", "ended_on")
    list_filter = ("department", "ended_on")
    list_select_related = ("advisor", "social_worker")
    search_fields = ("advisor__last_name", "social_worker__last_name")
    autocomplete_fields = ("advisor", "social_worker")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = PairEndForm if obj else PairCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return PairCreationForm.Meta.fields
        return ("department", "advisor", "social_worker", "started_on", "ended_on", "end_reason")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        if obj.ended_on:
            return (
                "department",
                "advisor",
                "social_worker",
                "started_on",
                "ended_on",
                "end_reason",
            )
        return ("department", "advisor", "social_worker", "started_on")

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"started_on": timezone.localdate()}

    def save_model(self, request: HttpRequest, obj: Pair, form: Any, change: bool) -> None:
        if change:
            if "ended_on" in form.changed_data:
                saved = services.pair_end(
                    pair=obj,
                    ended_on=form.cleaned_data["ended_on"],
                    reason=form.cleaned_data["end_reason"] or PairEndReason.OTHER,
                    acting_user=_actor(request),
                )
                _adopt(obj, saved)
            return
        saved = services.pair_create(
            advisor=obj.advisor,
            social_worker=obj.social_worker,
            started_on=obj.started_on,
            acting_user=_actor(request),
        )
        _adopt(obj, saved)
