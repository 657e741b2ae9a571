"""Helpers of the partner API's tests: a partner system with a key, and a client that sends it."""

from django.test import Client

from partners.api import services as api_services
from partners.api.models import PartnerSystem, Scope
from partners.models import Department


def make_partner(
    department: Department,
    *,
    scopes: list[str] | None = None,
    name: str = "rdv-insertion",
    organisation: str = "ANCT",
    requests_per_minute: int | None = None,
    webhook_url: str = "",
) -> tuple[PartnerSystem, str]:
    """A partner system of ``department`` (``followup:read`` by default) and its key."""
    partner = api_services.partner_system_create(
        department=department,
        name=name,
        organisation=organisation,
        scopes=[Scope.FOLLOWUP_READ] if scopes is None else scopes,
        requests_per_minute=requests_per_minute,
        webhook_url=webhook_url,
        acting_user=None,
    )
    issued = api_services.partner_key_issue(partner=partner, acting_user=None)
    return partner, issued.secret


def api_client(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})
