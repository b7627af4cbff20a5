"""Errors raised by the matching library: each names the field, the value and what is accepted."""


class MatchingError(ValueError):
    """Base class, so callers can catch every matching failure in one place."""


class InputError(MatchingError):
    """Bad records, codes or arguments handed to the library."""


class ArtefactError(MatchingError):
    """A saved model cannot be used; the caller should keep its previous model."""
