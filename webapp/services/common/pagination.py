"""One shape for every list the app returns: a page of items and the total behind it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from webapp.services.common.errors import FieldError, ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    """`items` from `offset`, at most `limit` of them, out of `total`."""

    items: Sequence[T]
    total: int
    limit: int
    offset: int

    @property
    def has_next(self) -> bool:
        """Whether a later page exists."""
        return self.offset + self.limit < self.total

    @property
    def has_previous(self) -> bool:
        """Whether an earlier page exists."""
        return self.offset > 0


def check_window(limit: int, offset: int) -> None:
    """Refuse a page window outside 1–100 items or before the first row."""
    errors = []
    if not 1 <= limit <= MAX_LIMIT:
        errors.append(FieldError("limit", f"{limit} is out of range; use 1 to {MAX_LIMIT}"))
    if offset < 0:
        errors.append(FieldError("offset", f"{offset} is negative; use 0 or more"))
    if errors:
        raise ValidationFailed(errors)
