"""The test data's dates, relative to the suite's « today » (``BINOME_TEST_TODAY``, see
tests/conftest.py), so that the suite tells the same story on any date.

The usual life of a factory accompaniment, in days before today: the binôme formed about eleven
months ago, the case proposed a week later and started three weeks after that, so that it is in
its tenth month, its planned end and its accord de partage still ahead; the first interview and
the orientation decision four weeks after the start.
"""

import datetime

from django.utils import timezone

PAIR_STARTED = 322
CASE_PROPOSED = 315
CASE_STARTED = 294
FIRST_INTERVIEW = 266


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)
