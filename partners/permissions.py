"""Who may do what in the partners app. The only module here that grants permissions."""

from django.contrib.auth.models import Group, Permission

from partners.models import Professional

FUNCTIONAL_ADMIN_GROUP = "Administration fonctionnelle"
#: Model permissions of the functional administrators (the Django admin). Never on case data.
FUNCTIONAL_ADMIN_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("department", "organisation", "professional", "pair", "partnersystem")
    for action in ("view", "add", "change")
] + [
    # A partner system's keys are issued, rotated and revoked, never edited (partners.api).
    "view_partnerkey",
    "add_partnerkey",
]


def functional_admin_group() -> Group:
    group, _ = Group.objects.get_or_create(name=FUNCTIONAL_ADMIN_GROUP)
    wanted = set(
        Permission.objects.filter(
            content_type__app_label="partners", codename__in=FUNCTIONAL_ADMIN_PERMISSIONS
        )
    )
    if set(group.permissions.all()) != wanted:
        group.permissions.set(wanted)
    return group


def grant_functional_administration(professional: Professional) -> None:
    professional.groups.add(functional_admin_group())


def revoke_functional_administration(professional: Professional) -> None:
    professional.groups.remove(functional_admin_group())
