from partners.errors import DomainError


class ConsentRequired(DomainError):
    """The person's agreement is needed first."""


class ConcurrentChange(DomainError):
    """Someone saved the same case since the user opened it."""


class InvalidInput(DomainError):
    """A value that cannot be right (a date in the future…); ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CapacityReached(DomainError):
    """A collective action has no place left."""


class FlowConfirmationRefused(DomainError):
    """A match of a CAF/MSA flow that cannot be confirmed (already confirmed, other department…)."""


class ListImportRefused(DomainError):
    """A list of people with a ticked row refused: nothing is imported. ``lines``: each line of
    the file and its reason."""

    def __init__(self, lines: list[tuple[int, str]]) -> None:
        super().__init__(
            f"Rien n'a été importé : {len(lines)} ligne(s) cochée(s) refusée(s). Décochez-les ou "
            "corrigez le fichier."
        )
        self.lines = lines


class PartnerRefReused(DomainError):
    """A partner system's own id sent again for something else (another decision, another
    case): the API answers 409, the first one is kept."""
