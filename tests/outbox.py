"""The outbox as the tests of messages read it."""

from django.db.models import QuerySet

from casework.services.dashboards import KEY_PREFIX
from partners.models import OutboxMessage


def outbox_messages() -> QuerySet[OutboxMessage]:
    """The outbox's rows but the supervisors' dashboards' refresh that every write of a case asks
    for (a task naming a binôme, never a message: casework/services/dashboards.py, tested in
    tests/orientation/test_dashboard_snapshot.py)."""
    return OutboxMessage.objects.exclude(key__startswith=KEY_PREFIX)
