"""Text a database can store: no NUL characters (PostgreSQL refuses them) and no lone surrogates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from webapp.services.common.errors import FieldError, ValidationFailed


def text_problem(value: str) -> str | None:
    """What is wrong with a string, or None when it can be stored."""
    if "\x00" in value:
        return "must not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (it holds an unpaired surrogate)"
    return None


def text_errors(values: Mapping[str, Any]) -> list[FieldError]:
    """A FieldError for every string (or string inside a list) that could not be stored."""
    found: list[FieldError] = []
    for name, value in values.items():
        items: Sequence[Any] = value if isinstance(value, list | tuple) else [value]
        for index, item in enumerate(items):
            problem = text_problem(item) if isinstance(item, str) else None
            if problem:
                where = f"{name}[{index}]" if isinstance(value, list | tuple) else name
                found.append(FieldError(where, problem))
    return found


def check_text(**values: Any) -> None:
    """Raise ValidationFailed naming each field whose text could not be stored."""
    errors = text_errors(values)
    if errors:
        raise ValidationFailed(errors)
