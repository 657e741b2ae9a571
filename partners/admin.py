"""Functional administration. Every save goes through a service; nothing is ever deleted.

A functional administrator works on their own department only: every ModelAdmin of the site is a
``DepartmentScopedAdmin`` (lists, change, history and delete pages, the choices of foreign keys and
autocompletes, list filters, actions and saves all go through the admin's department), or an
``OperatorOnlyAdmin`` (the third-party models: groups, the audit trail, second-factor devices, the
DSFR settings), which only the operators of the installation (superusers) open. The system check
``binome.E006`` (``partners.checks``) refuses a ModelAdmin or inline that is neither.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import ForeignKey, ManyToManyField, Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from dsfr.models import DsfrConfig

from partners import services
from partners.api import services as api_services
from partners.api.models import Scope
from partners.enums import PairEndReason
from partners.errors import DomainError
from partners.models import Department, Organisation, Pair, PartnerKey, PartnerSystem, Professional

# Django's admin and form classes take no subscript at run time: the typed bases are for mypy only.
if TYPE_CHECKING:
    _BaseModelAdmin = BaseModelAdmin[Any]
    _ModelAdmin = admin.ModelAdmin[Any]
    _ProfessionalForm = forms.ModelForm[Professional]
    _PairForm = forms.ModelForm[Pair]
    _PartnerSystemForm = forms.ModelForm[PartnerSystem]
    _PartnerKeyForm = forms.ModelForm[PartnerKey]
else:
    _BaseModelAdmin = BaseModelAdmin
    _ModelAdmin = admin.ModelAdmin
    _ProfessionalForm = _PairForm = _PartnerSystemForm = _PartnerKeyForm = forms.ModelForm

admin.site.disable_action("delete_selected")


def _adopt(instance: Model, saved: Model) -> None:
    """Make the admin's unsaved instance the one a service just saved (for its redirect)."""
    instance.__dict__.update(saved.__dict__)


def _actor(request: HttpRequest) -> Professional:
    return cast(Professional, request.user)  # the admin site only lets staff professionals in


def _changed(form: "forms.ModelForm[Any]", exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.changed_data if name not in exclude}


def _department_id_of(instance: Model, lookup: str) -> int | None:
    """Follow ``lookup`` (``"pk"``, ``"department"``, ``"organisation__department"``) on an
    instance, saved or not: the id of its department, or None when it has none yet."""
    *path, last = lookup.split("__")
    target: Any = instance
    for name in path:
        target = getattr(target, name, None)
        if target is None:
            return None
    return cast(int | None, target.pk if last == "pk" else getattr(target, f"{last}_id"))


class DepartmentScoped(_BaseModelAdmin):
    """What an admin page (a ModelAdmin or an inline) shows and offers: the objects of the
    administrator's department only.

    A superuser is an operator of the installation, not a role of the application (no
    organisation, docs/architecture.md): they see every department, to create a department and
    its first administrator. Any other account sees its own department's objects, or none.
    """

    #: The lookup from this admin's model to its department (``"pk"`` for Department itself).
    department_lookup: ClassVar[str]

    def scope(self, request: HttpRequest, queryset: QuerySet[Any], lookup: str) -> QuerySet[Any]:
        user = _actor(request)
        if user.is_superuser:
            return queryset
        if user.organisation is None:
            return queryset.none()
        return queryset.filter(**{lookup: user.organisation.department_id})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(request, super().get_queryset(request), self.department_lookup)

    def _related_choices(
        self, db_field: "ForeignKey[Any, Any] | ManyToManyField[Any, Any]", request: HttpRequest
    ) -> QuerySet[Any]:
        """The choices of a relation: the related model's objects of the same department. A
        relation to a model whose admin is not department-scoped has no safe choices."""
        related = db_field.remote_field.model
        related_admin = (
            self.admin_site.get_model_admin(related)
            if self.admin_site.is_registered(related)
            else None
        )
        if not isinstance(related_admin, DepartmentScoped):
            raise ImproperlyConfigured(
                f"{type(self).__name__}.{db_field.name} offers {related.__name__} objects, whose "
                "admin is not a DepartmentScopedAdmin: its choices cannot be scoped."
            )
        queryset = self.get_field_queryset(None, db_field, request)
        if queryset is None:
            queryset = related._default_manager.all()
        return self.scope(request, queryset, related_admin.department_lookup)

    def formfield_for_foreignkey(
        self, db_field: "ForeignKey[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> Any:
        kwargs["queryset"] = self._related_choices(db_field, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: "ManyToManyField[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> Any:
        kwargs["queryset"] = self._related_choices(db_field, request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class DepartmentScopedAdmin(DepartmentScoped, _ModelAdmin):
    """A ModelAdmin of the functional administration: scoped to the administrator's department
    (above), never deleting, and answering 404 for another department's object (the change,
    history and delete pages, GET and POST), as for a missing one."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        # Django's admin redirects to its index for a missing object: Binôme answers 404, the
        # same for "no such object" and "another department's".
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def get_list_filter(self, request: HttpRequest) -> Any:
        # A filter on a relation lists only the values present in the scoped list, never the
        # other departments (or their organisations).
        return [
            (item, admin.RelatedOnlyFieldListFilter)
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation
            else item
            for item in super().get_list_filter(request)
        ]

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        # Every save of the site (add and change forms, the changelist's editable rows) passes
        # here before save_model: an object outside the administrator's department is refused
        # even if a form let it through.
        obj = super().save_form(request, form, change)
        user = _actor(request)
        department = _department_id_of(obj, self.department_lookup)
        if not user.is_superuser and (
            user.organisation is None or department != user.organisation.department_id
        ):
            raise PermissionDenied
        return obj


class OperatorOnlyAdmin(_BaseModelAdmin):
    """A third-party model's admin, for the operators of the installation (superusers) only:
    a functional administrator never opens it, whatever permissions a group would give."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _actor(request).is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _actor(request).is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _actor(request).is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _actor(request).is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _actor(request).is_superuser and super().has_delete_permission(request, obj)


#: The admins that other apps registered: the operators' (a lost phone's device is deleted in
#: « TOTP devices », docs/deployment.md). Wrapped rather than unregistered, same pages.
OPERATOR_MODELS: tuple[type[Model], ...] = (Group, LogEntry, TOTPDevice, DsfrConfig)
for _model in OPERATOR_MODELS:
    _registered = type(admin.site.get_model_admin(_model))
    admin.site.unregister(_model)
    admin.site.register(_model, type(_registered.__name__, (OperatorOnlyAdmin, _registered), {}))


@admin.register(Department)
class DepartmentAdmin(DepartmentScopedAdmin):
    department_lookup = "pk"
    list_display = ("code", "name", "rsa_orientation_authority", "caseload_target")
    search_fields = ("code", "name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        """A new department is outside every department: the operators create it."""
        return _actor(request).is_superuser and super().has_add_permission(request)

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
class OrganisationAdmin(DepartmentScopedAdmin):
    department_lookup = "department"
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


class ProfessionalCreationForm(_ProfessionalForm):
    """No password here: the professional chooses it from the activation link sent by e-mail
    (services.professional_create); nobody else ever knows it."""

    #: The administrator filling the form (set by ProfessionalAdmin.get_form on the request's
    #: class).
    acting_user: Professional | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        try:
            services.professional_create_check(
                is_social_correspondent=bool(cleaned.get("is_social_correspondent")),
                acting_user=self.acting_user,
            )
        except DomainError as error:
            raise forms.ValidationError(error.message) from error
        return cleaned

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
        help_texts = {
            "email": (
                "Un lien d'activation est envoyé par e-mail à cette adresse : la personne y "
                "choisit elle-même son mot de passe, que personne d'autre ne connaît. Pour "
                "l'administration fonctionnelle et l'audit, un code d'enrôlement de la double "
                "authentification vous est affiché une fois, à lui remettre par téléphone ou en "
                "main propre."
            ),
        }


class ProfessionalChangeForm(_ProfessionalForm):
    """The change form: the service's refusals (one's own rights, the address of an activated or
    paired account, a role changed in a binôme…) shown as the form's errors, before any save."""

    #: The administrator filling the form (set by ProfessionalAdmin.get_form on the request's
    #: class).
    acting_user: Professional | None = None

    class Meta:
        model = Professional
        fields = ()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if not self.errors and self.instance.pk is not None:
            try:
                services.professional_update_check(
                    professional=self.instance, fields=_changed(self), acting_user=self.acting_user
                )
            except DomainError as error:
                raise forms.ValidationError(error.message) from error
        return cleaned


def _show_enrolment_code(admin_: Any, request: HttpRequest, professional: Professional) -> None:
    """The enrolment code just issued, shown once to the administrator who issued it."""
    code = professional.issued_enrolment_code
    if code:
        admin_.message_user(
            request,
            f"Code d'enrôlement de la double authentification de {professional.full_name} : "
            f"{code} (valable 7 jours, une seule fois). Remettez-le lui par téléphone ou en main "
            "propre, jamais par e-mail : il ne sera plus affiché.",
            messages.WARNING,
        )


@admin.register(Professional)
class ProfessionalAdmin(DepartmentScopedAdmin):
    department_lookup = "organisation__department"
    list_display = ("last_name", "first_name", "email", "role", "organisation", "is_active")
    list_filter = ("role", "is_active", "is_social_correspondent", "organisation__department")
    list_select_related = ("organisation",)
    search_fields = ("last_name", "first_name", "email")
    ordering = ("last_name", "first_name")
    actions = ("deactivate", "send_activation_link", "allow_second_factor_reenrolment")
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
        "invited_by",
        "invited_at",
        "second_factor_reset_at",
    )
    readonly_fields = (
        "is_active",
        "last_login",
        "date_joined",
        "invited_by",
        "invited_at",
        "second_factor_reset_at",
    )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = ProfessionalChangeForm if obj else ProfessionalCreationForm
        form: Any = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = _actor(request)  # a class made for this request by modelform_factory
        return form

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ProfessionalCreationForm.Meta.fields
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        fields: tuple[str, ...] = self.readonly_fields
        if obj.pk == request.user.pk:
            # Their own rights are another administrator's to change (professional_update).
            fields = (*fields, *services.RIGHTS_FIELDS)
        if services.account_activated(obj):
            fields = (*fields, "email")  # it opens the account (ACTIVATED_EMAIL_REFUSED)
        return fields

    def save_model(self, request: HttpRequest, obj: Professional, form: Any, change: bool) -> None:
        if change:
            saved = services.professional_update(
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
                acting_user=_actor(request),
            )
            _adopt(obj, saved)
            self.message_user(
                request,
                f"Un lien d'activation part par e-mail à {saved.email} : "
                f"{saved.full_name} y choisira son mot de passe.",
            )
        _show_enrolment_code(self, request, saved)

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Professional],
        service: Callable[..., Professional],
        done: Callable[[Professional], str],
    ) -> list[Professional]:
        """Run ``service`` on each selected professional: its French refusal, or ``done``'s
        message; the professionals it saved."""
        saved = []
        for professional in queryset:
            try:
                result = service(professional=professional, acting_user=_actor(request))
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, done(result))
                saved.append(result)
        return saved

    @admin.action(description="Désactiver les professionnel·les sélectionné·es")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Professional]) -> None:
        self._each(
            request,
            queryset,
            services.professional_deactivate,
            lambda professional: f"{professional.full_name} est désactivé·e.",
        )

    @admin.action(description="Envoyer un nouveau lien d'activation")
    def send_activation_link(self, request: HttpRequest, queryset: QuerySet[Professional]) -> None:
        self._each(
            request,
            queryset,
            services.professional_invitation_resend,
            lambda professional: (
                f"Un nouveau lien d'activation part par e-mail à {professional.email} ; "
                "les liens précédents ne fonctionnent plus."
            ),
        )

    @admin.action(description="Autoriser un nouvel enrôlement de la double authentification")
    def allow_second_factor_reenrolment(
        self, request: HttpRequest, queryset: QuerySet[Professional]
    ) -> None:
        for saved in self._each(
            request,
            queryset,
            services.second_factor_reenrolment_allow,
            lambda professional: (
                f"La double authentification de {professional.full_name} est retirée : "
                "elle ou il l'active de nouveau à sa prochaine connexion."
            ),
        ):
            _show_enrolment_code(self, request, saved)


class PairCreationForm(_PairForm):
    #: The administrator filling the form (set by PairAdmin.get_form on the request's class).
    acting_user: Professional | None = None

    class Meta:
        model = Pair
        fields = ("advisor", "social_worker", "started_on")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # No advisor: a suivi social seul (axis 3), the social worker alone.
        advisor, social_worker = cleaned.get("advisor"), cleaned.get("social_worker")
        if social_worker and not self.has_error("advisor"):
            try:
                self.instance.department = services.pair_check_members(
                    advisor, social_worker, acting_user=self.acting_user
                )
                services.pair_check_not_active(advisor, social_worker)
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
class PairAdmin(DepartmentScopedAdmin):
    department_lookup = "department"
    list_display = ("__str__", "advisor", "social_worker", "started_on", "ended_on")
    list_filter = ("department", "ended_on")
    list_select_related = ("advisor", "social_worker")
    search_fields = ("advisor__last_name", "social_worker__last_name")
    autocomplete_fields = ("advisor", "social_worker")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = PairEndForm if obj else PairCreationForm
        form: Any = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = _actor(request)  # a class made for this request by modelform_factory
        return form

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


class PartnerSystemForm(_PartnerSystemForm):
    scopes = forms.MultipleChoiceField(
        label="portées autorisées",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=(
            "followup:read lit le suivi des accompagnements du département (jamais de contenu "
            "secret) et reçoit les notifications ; appointments:write écrit les rendez-vous ; "
            "orientation:write enregistre les décisions d'orientation."
        ),
    )

    class Meta:
        model = PartnerSystem
        fields = (
            "department",
            "name",
            "organisation",
            "scopes",
            "requests_per_minute",
            "active",
            "webhook_url",
        )

    def clean_webhook_url(self) -> str:
        try:
            return api_services.check_webhook_url(self.cleaned_data.get("webhook_url") or "")
        except DomainError as error:
            raise forms.ValidationError(error.message) from error


def _show_webhook_secret(admin_: Any, request: HttpRequest, partner: PartnerSystem) -> None:
    """The notifications' signing secret, shown once to the administrator who made it."""
    admin_.message_user(
        request,
        f"Secret de signature des notifications de {partner} : {partner.webhook_secret}. "
        "Transmettez-le par un canal sûr à l'équipe du système : il ne sera plus affiché.",
        messages.WARNING,
    )


@admin.register(PartnerSystem)
class PartnerSystemAdmin(DepartmentScopedAdmin):
    """The partner systems of the department (the partner API): registered with their scopes;
    their keys in « Clés d'API »."""

    department_lookup = "department"
    form = PartnerSystemForm
    list_display = ("name", "organisation", "department", "scopes", "active")
    list_filter = ("department", "active")
    list_select_related = ("department",)
    search_fields = ("name", "organisation")
    actions = ("renew_webhook_secret",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("department",) if obj else ()

    def save_model(self, request: HttpRequest, obj: PartnerSystem, form: Any, change: bool) -> None:
        secret_before = PartnerSystem.objects.get(pk=obj.pk).webhook_secret if change else ""
        if change:
            saved = api_services.partner_system_update(
                partner=obj, fields=_changed(form), acting_user=_actor(request)
            )
        else:
            saved = api_services.partner_system_create(
                department=obj.department,
                name=obj.name,
                organisation=obj.organisation,
                scopes=form.cleaned_data["scopes"],
                requests_per_minute=obj.requests_per_minute,
                active=obj.active,
                webhook_url=obj.webhook_url,
                acting_user=_actor(request),
            )
        _adopt(obj, saved)
        if saved.webhook_secret != secret_before:
            _show_webhook_secret(self, request, saved)

    @admin.action(description="Renouveler le secret de signature des notifications")
    def renew_webhook_secret(self, request: HttpRequest, queryset: QuerySet[PartnerSystem]) -> None:
        for partner in queryset:
            try:
                api_services.partner_webhook_secret_renew(
                    partner=partner, acting_user=_actor(request)
                )
            except DomainError as error:
                self.message_user(request, f"{partner} : {error.message}", messages.ERROR)
            else:
                partner.refresh_from_db()
                _show_webhook_secret(self, request, partner)


class PartnerKeyForm(_PartnerKeyForm):
    class Meta:
        model = PartnerKey
        fields = ("partner", "expires_at")
        help_texts = {
            "expires_at": (
                f"Au plus {api_services.MAX_KEY_DAYS // 365} ans. La clé entière n'est affichée "
                "qu'une fois, après l'enregistrement : transmettez-la à l'équipe du système "
                "partenaire par un canal sûr."
            )
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        partner, expires_at = cleaned.get("partner"), cleaned.get("expires_at")
        if partner is not None and expires_at is not None:
            try:
                api_services.partner_key_issue_check(partner=partner, expires_at=expires_at)
            except DomainError as error:
                raise forms.ValidationError(error.message) from error
        return cleaned


def _show_key(admin_: Any, request: HttpRequest, issued: api_services.IssuedKey) -> None:
    """The whole key, shown once to the administrator who issued it."""
    admin_.message_user(
        request,
        f"Clé d'API de {issued.key.partner} : {issued.secret} (valable jusqu'au "
        f"{timezone.localtime(issued.key.expires_at):%d/%m/%Y}). Transmettez-la par un canal "
        "sûr : elle ne sera plus affichée.",
        messages.WARNING,
    )


@admin.register(PartnerKey)
class PartnerKeyAdmin(DepartmentScopedAdmin):
    """The keys of the partner systems: issued here (shown once), rotated or revoked with the
    list's actions; never edited (the change page is read-only)."""

    department_lookup = "partner__department"
    form = PartnerKeyForm
    list_display = ("prefix", "partner", "created_at", "expires_at", "status_label")
    list_filter = ("partner",)
    list_select_related = ("partner",)
    actions = ("rotate", "revoke")
    readonly_fields = (
        "prefix",
        "partner",
        "created_at",
        "created_by",
        "expires_at",
        "revoked_at",
        "replaced_by",
    )

    @admin.display(description="état")
    def status_label(self, obj: PartnerKey) -> str:
        return obj.status_label

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return PartnerKeyForm.Meta.fields if obj is None else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"expires_at": api_services.default_expiry()}

    def save_model(self, request: HttpRequest, obj: PartnerKey, form: Any, change: bool) -> None:
        issued = api_services.partner_key_issue(
            partner=obj.partner, expires_at=obj.expires_at, acting_user=_actor(request)
        )
        _adopt(obj, issued.key)
        _show_key(self, request, issued)

    @admin.action(description="Remplacer les clés sélectionnées (rotation)")
    def rotate(self, request: HttpRequest, queryset: QuerySet[PartnerKey]) -> None:
        for key in queryset:
            try:
                issued = api_services.partner_key_rotate(key=key, acting_user=_actor(request))
            except DomainError as error:
                self.message_user(request, f"Clé {key.prefix} : {error.message}", messages.ERROR)
            else:
                _show_key(self, request, issued)

    @admin.action(description="Révoquer les clés sélectionnées")
    def revoke(self, request: HttpRequest, queryset: QuerySet[PartnerKey]) -> None:
        for key in queryset:
            try:
                api_services.partner_key_revoke(key=key, acting_user=_actor(request))
            except DomainError as error:
                self.message_user(request, f"Clé {key.prefix} : {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"La clé {key.prefix} est révoquée.")
