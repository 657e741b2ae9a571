"""The supervisors' dashboards follow the writes (orientation/snapshots.py): a write of a case
asks, in its transaction, for its department's dashboards to be refreshed at the end of the
current window. Through the outbox, so that a refresh is never lost nor published before commit.
"""

import datetime
import uuid

from django.conf import settings
from django.utils import timezone

from partners.outbox import enqueue_task_once

#: The task the outbox publishes (orientation.tasks; named here, casework does not import it).
REFRESH_TASK = "orientation.tasks.refresh_dashboards"
#: The outbox keys of the refresh rows: ``tableau-de-bord:<binôme>:<window>``.
KEY_PREFIX = "tableau-de-bord:"


def dashboards_changed(pair_id: int) -> None:
    """A write changed a case of ``pair_id``: one outbox row per binôme and window of
    ``BINOME_DASHBOARD_REFRESH_SECONDS``, due at the window's end (at once when the window is 0:
    ``make run``, where no beat relays a row due later)."""
    window = settings.BINOME_DASHBOARD_REFRESH_SECONDS
    if window:
        slot = int(timezone.now().timestamp() // window)
        key = f"{KEY_PREFIX}{pair_id}:{slot}"
        due: datetime.datetime | None = datetime.datetime.fromtimestamp(
            (slot + 1) * window, tz=datetime.UTC
        )
    else:
        key, due = f"{KEY_PREFIX}{pair_id}:{uuid.uuid4().hex}", None
    enqueue_task_once(
        key=key,
        task=REFRESH_TASK,
        kwargs={"pair_id": pair_id, "due": due.isoformat() if due else None},
        not_before=due,
    )
