"""Every write of the casework app (moving into one module per sub-domain)."""

from casework.services.cases import *  # noqa: F403
