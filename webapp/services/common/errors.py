"""Domain errors raised by services; the API and pages translate them for people."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field, in words the person can act on."""

    field: str
    message: str


class ServiceError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ValidationFailed(ServiceError):
    """Input broke a rule (unknown taxonomy code, ticket min above max, …)."""

    status = 422
    title = "Validation failed"

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        super().__init__(detail or "; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


class NotFound(ServiceError):
    """The object does not exist, or the caller may not know that it does."""

    status = 404
    title = "Not found"


class Forbidden(ServiceError):
    """The caller is known but may not do this."""

    status = 403
    title = "Forbidden"


class Conflict(ServiceError):
    """The request clashes with the current state (email taken, introduction already open)."""

    status = 409
    title = "Conflict"
