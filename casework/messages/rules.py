"""When a message may leave: no SMS during the department's quiet hours (20:00 to 08:00 unless it
decides otherwise); an SMS due then leaves when they end. E-mails are not held, and neither is
the code the person just asked for to enter their space: they are waiting for it, and it dies
after 10 minutes (an invitation to the space, made by the binôme, is held like any SMS)."""

import datetime

from django.utils import timezone

from casework.enums import MessageChannel, MessageKind
from partners.models import Department

#: Kinds the person asked for this very minute: never held by the quiet hours.
NOT_HELD = frozenset({MessageKind.SPACE_CODE})


def send_after(
    *, at: datetime.datetime, channel: str, department: Department, kind: str = ""
) -> datetime.datetime:
    """The earliest time a message of ``kind`` due ``at`` may leave on ``channel`` (``at``
    itself, or the end of the quiet hours it falls in, in the department's local time)."""
    if channel != MessageChannel.SMS or kind in NOT_HELD:
        return at
    start, end = department.sms_quiet_from, department.sms_quiet_until
    if start == end:
        return at
    local = timezone.localtime(at)
    time_of_day = local.time()
    if start > end:  # over midnight: 20:00 → 08:00
        if time_of_day >= start:
            return _at(local.date() + datetime.timedelta(days=1), end)
        if time_of_day < end:
            return _at(local.date(), end)
        return at
    if start <= time_of_day < end:  # within one day: 12:00 → 14:00
        return _at(local.date(), end)
    return at


def _at(day: datetime.date, time_of_day: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time_of_day))
