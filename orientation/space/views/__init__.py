"""The person's pages of orientation under /mon-espace/, one module per part of the space:
``diagnostic`` (read it, give one's opinion), ``documents`` (the printable documents and the
download of what the space shows), ``plan`` (the plan d'action, one's own actions marked done).

Every page is ``person_required`` (``casework.space.session``), which answers ``no-store``.
"""

from orientation.space.views.diagnostic import OpinionForm, space_diagnostic

__all__ = ["OpinionForm", "space_diagnostic"]
