"""Domain errors. Each carries a French message that a view can show as it is."""


class DomainError(Exception):
    """A business rule refused the action; ``message`` says why, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidPair(DomainError):
    pass


class InvalidTransition(DomainError):
    pass


class PairHasOpenCases(DomainError):
    pass


class ProfessionalStillInPair(DomainError):
    pass


class InvalidToken(DomainError):
    """A second-factor code that does not match."""


class InvalidEnrolmentCode(DomainError):
    """A second-factor enrolment code missing, wrong, used or expired."""
